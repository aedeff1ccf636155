import { ApiAccessLog } from './api-access-log.entity';
import { AuditLog } from './audit-log.entity';
import { AuthenticationLog } from './authentication-log.entity';
import { EventDedupKey } from './event-dedup-key.entity';
import { EventLog } from './event-log.entity';
import { ExternalApiCallLog } from './external-api-call-log.entity';

export { ApiAccessLog, AuditLog, AuthenticationLog, EventDedupKey, EventLog, ExternalApiCallLog };

/** Every entity of the analytics DataSource. */
export const ANALYTICS_ENTITIES = [ApiAccessLog, AuthenticationLog, ExternalApiCallLog, AuditLog, EventLog, EventDedupKey];
