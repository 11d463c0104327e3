// The engine's public surface: hosts (extension, CLI, tests) import from here.
export * from './client';
export * from './config';
export * from './events';
export * from './engine';
export * from './trace';
export * from './clients';
export { envApiKey, type ApiKeyResolver } from './openai-client';
export { MemoryRoleCache, type RoleCache } from './roles';
export type { ContextItem } from './prompts';
