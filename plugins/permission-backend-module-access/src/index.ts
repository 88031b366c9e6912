export { permissionModuleAccessPolicy as default } from './module';
export { AccessPermissionPolicy } from './AccessPermissionPolicy';
