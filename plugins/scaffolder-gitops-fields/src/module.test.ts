import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import packageJson from '../package.json';
import feature from '.';
import { gitopsNameFormField } from './module';

describe('the GitOpsName form field', () => {
  it('is a scaffolder module the app finds by its dependency (app.packages: all)', () => {
    // The app's feature discovery takes the default export of frontend-plugin-module packages.
    expect(packageJson.backstage.role).toBe('frontend-plugin-module');
    expect(feature).toMatchObject({
      $$type: '@backstage/FrontendModule',
      pluginId: 'scaffolder',
    });
  });

  it("attaches to the scaffolder's form fields and loads the field", async () => {
    expect(gitopsNameFormField).toMatchObject({
      attachTo: { id: 'api:scaffolder/form-fields', input: 'formFields' },
    });
    const load = createExtensionTester(gitopsNameFormField).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    expect(await load()).toMatchObject({
      $$type: '@backstage/scaffolder/FormField',
    });
  });
});
