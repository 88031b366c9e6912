/**
 * Scaffolder form fields of the golden paths, found by the app through `app.packages: all`.
 *
 * @packageDocumentation
 */
export { scaffolderGitOpsFieldsModule as default } from './module';
