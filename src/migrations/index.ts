import { InitialSchema1795509968278 } from './1795509968278-InitialSchema';

/** Every migration of the analytics schema, oldest first. */
export const ANALYTICS_MIGRATIONS = [InitialSchema1795509968278];
