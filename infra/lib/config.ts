import { Node } from 'constructs';

export type VectorStore = 'pgvector' | 'pinecone';
export type NatType = 'gateway' | 'instance';
export type CpuArchitecture = 'x86_64' | 'arm64';
export type EmbedPrecision = 'f32' | 'bf16' | 'auto';

/** Settings of one environment (cdk.json `environments.<env>`), each
 *  overridable on the command line with `-c key=value`. docs/deploy.md lists
 *  them with their defaults. */
export interface CatalogConfig {
  readonly envName: string;
  readonly region: string;

  // --- network
  /** NAT gateways (`natType: gateway`) or NAT instances (`instance`), one per AZ up to 2. */
  readonly natGateways: number;
  readonly natType: NatType;
  /** Instance type of a NAT instance (`natType: instance`). */
  readonly natInstanceType: string;

  // --- database
  readonly dbInstanceType: string;
  readonly dbAllocatedStorageGb: number;
  readonly dbMultiAz: boolean;
  readonly dbBackupRetentionDays: number;
  readonly deletionProtection: boolean;

  // --- queue
  /** Receives before SQS moves a job to the DLQ. */
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;

  // --- services
  /** CPU architecture of every task and image: `x86_64`, or `arm64` (Graviton, about 20 % cheaper per vCPU). */
  readonly cpuArchitecture: CpuArchitecture;
  /** EMBED_PRECISION of emu, the frontend and verify. One value for all, so documents and queries are
   *  embedded alike: Fargate may place x86 tasks on Intel or AMD hosts, where `auto` could choose differently. */
  readonly embedPrecision: EmbedPrecision;
  readonly frontendDesiredCount: number;
  /** Frontend task CPU units (256 = 0.25 vCPU) and memory. */
  readonly frontendCpu: number;
  readonly frontendMemoryMiB: number;
  /** pelican replicas beyond the active one (advisory-lock standbys). */
  readonly pelicanStandbyCount: number;
  /** emu tasks kept running when the queue is empty (0 = scale to zero). */
  readonly minEmuTasks: number;
  readonly emuMaxCount: number;
  /** Backlog (visible + in-flight jobs) one emu task is expected to carry. */
  readonly emuBacklogPerTask: number;
  readonly emuSpot: boolean;
  /** Container Insights (per-task CPU/memory views; ~$20/month here). Scaling and alarms do not need it. */
  readonly containerInsights: boolean;

  // --- vector store
  readonly vectorStore: VectorStore;
  /** Pinecone: the serverless index the deploy creates (or finds). */
  readonly pineconeIndexName: string;
  readonly pineconeCloud: string;
  readonly pineconeRegion: string;
  /** Pinecone: the Secrets Manager secret (created by the operator) holding the API key. */
  readonly pineconeApiKeySecretName: string;

  // --- deploy
  /** How long the deploy waits for `catalogctl deploy-prepare` before failing. */
  readonly deployPrepareTimeoutMinutes: number;

  // --- edge
  /** ACM certificate for the HTTPS listener; port 80 then only redirects. */
  readonly certificateArn?: string;
  /** Serve plain HTTP when no certificate is set (dev only; warned at synth). */
  readonly allowPlainHttp: boolean;
  /** The site's public host name (the certificate's, e.g. `catalog.example.com`), whose DNS points at the load
   *  balancer. Unset: browsers use the load balancer's own host name. Only the uploads bucket's CORS rule reads it. */
  readonly domainName?: string;
  /** WAF: requests one client IP may make to the search page and /api/search per 5 minutes. */
  readonly searchRateLimit: number;

  // --- bulk upload
  /** Days after which an uploaded CSV file is deleted from the uploads bucket (its import job must have run by then). */
  readonly uploadExpiryDays: number;
  /** UPLOAD_MAX_BYTES of the frontend: the largest file a browser may upload (one S3 PUT: at most 5 GiB). */
  readonly uploadMaxBytes: number;

  // --- alerting
  /** E-mail address subscribed to the alert topic (empty: no subscription, warned at synth). */
  readonly alertEmail?: string;
  readonly oldestMessageAgeAlarmSeconds: number;
  readonly outboxOldestAgeAlarmSeconds: number;
  /** Minutes without any pelican replica holding the relay lock before alerting. */
  readonly pelicanNoLeaderMinutes: number;
  /** ALB + target 5xx responses per 5 minutes before alerting. */
  readonly http5xxAlarmThreshold: number;
  readonly dbCpuAlarmPercent: number;
  readonly dbFreeStorageAlarmGb: number;
  /** Minutes a service may run fewer tasks than desired before alerting. */
  readonly tasksBelowDesiredMinutes: number;

  // --- scheduled verify
  /** EventBridge schedule expression of `catalogctl verify` (empty: no schedule). */
  readonly verifySchedule?: string;
  /** Let the scheduled verify re-enqueue what differs (`--repair`). */
  readonly verifyRepair: boolean;
}

type Raw = Record<string, unknown>;

const GIB = 1024 * 1024 * 1024;

function num(name: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`context ${name}: not a number: ${String(v)}`);
  return n;
}

function bool(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`context ${name}: not true/false: ${String(v)}`);
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new Error(`context ${name}: must be one of ${allowed.join(', ')}: ${String(v)}`);
}

/** Reads `env` (default `dev`), that environment's block from cdk.json and
 *  any `-c key=value` overrides (which arrive as strings). */
export function loadConfig(node: Node): CatalogConfig {
  const envName = String(node.tryGetContext('env') ?? 'dev');
  const environments = (node.tryGetContext('environments') ?? {}) as Record<string, Raw>;
  const base = environments[envName];
  if (!base) {
    throw new Error(`unknown env "${envName}": cdk.json defines ${Object.keys(environments).join(', ')}`);
  }
  const get = (key: string): unknown => node.tryGetContext(key) ?? base[key];
  const need = (key: string): unknown => {
    const v = get(key);
    if (v === undefined) throw new Error(`context ${key} is missing for env ${envName}`);
    return v;
  };
  const prefix = `catalog-${envName}`;
  if (optString(get('pineconeIndexHost'))) {
    throw new Error(
      'context pineconeIndexHost is no longer read: set vectorStore=pinecone instead; the deploy creates the ' +
        'index and hands its host to the services (docs/deploy.md)',
    );
  }
  const cfg: CatalogConfig = {
    envName,
    region: String(need('region')),
    natGateways: num('natGateways', need('natGateways')),
    natType: oneOf('natType', get('natType') ?? 'gateway', ['gateway', 'instance'] as const),
    natInstanceType: String(get('natInstanceType') ?? 't4g.nano'),
    dbInstanceType: String(need('dbInstanceType')),
    dbAllocatedStorageGb: num('dbAllocatedStorageGb', need('dbAllocatedStorageGb')),
    dbMultiAz: bool('dbMultiAz', need('dbMultiAz')),
    dbBackupRetentionDays: num('dbBackupRetentionDays', need('dbBackupRetentionDays')),
    deletionProtection: bool('deletionProtection', need('deletionProtection')),
    maxReceiveCount: num('maxReceiveCount', get('maxReceiveCount') ?? 5),
    visibilityTimeoutSeconds: num('visibilityTimeoutSeconds', need('visibilityTimeoutSeconds')),
    cpuArchitecture: oneOf('cpuArchitecture', get('cpuArchitecture') ?? 'x86_64', ['x86_64', 'arm64'] as const),
    embedPrecision: oneOf('embedPrecision', get('embedPrecision') ?? 'f32', ['f32', 'bf16', 'auto'] as const),
    frontendDesiredCount: num('frontendDesiredCount', need('frontendDesiredCount')),
    frontendCpu: num('frontendCpu', get('frontendCpu') ?? 512),
    frontendMemoryMiB: num('frontendMemoryMiB', get('frontendMemoryMiB') ?? 1024),
    pelicanStandbyCount: num('pelicanStandbyCount', need('pelicanStandbyCount')),
    minEmuTasks: num('minEmuTasks', need('minEmuTasks')),
    emuMaxCount: num('emuMaxCount', need('emuMaxCount')),
    emuBacklogPerTask: num('emuBacklogPerTask', need('emuBacklogPerTask')),
    emuSpot: bool('emuSpot', need('emuSpot')),
    containerInsights: bool('containerInsights', need('containerInsights')),
    vectorStore: oneOf('vectorStore', get('vectorStore') ?? 'pgvector', ['pgvector', 'pinecone'] as const),
    pineconeIndexName: String(optString(get('pineconeIndexName')) ?? prefix),
    pineconeCloud: oneOf('pineconeCloud', get('pineconeCloud') ?? 'aws', ['aws', 'gcp', 'azure'] as const),
    pineconeRegion: String(optString(get('pineconeRegion')) ?? 'us-east-1'),
    pineconeApiKeySecretName: String(optString(get('pineconeApiKeySecretName')) ?? `${prefix}/pinecone-api-key`),
    deployPrepareTimeoutMinutes: num('deployPrepareTimeoutMinutes', get('deployPrepareTimeoutMinutes') ?? 30),
    certificateArn: optString(get('certificateArn')),
    allowPlainHttp: bool('allowPlainHttp', get('allowPlainHttp') ?? false),
    domainName: optString(get('domainName'))?.toLowerCase(),
    searchRateLimit: num('searchRateLimit', get('searchRateLimit') ?? 600),
    uploadExpiryDays: num('uploadExpiryDays', get('uploadExpiryDays') ?? 7),
    uploadMaxBytes: num('uploadMaxBytes', get('uploadMaxBytes') ?? GIB),
    alertEmail: optString(get('alertEmail')),
    oldestMessageAgeAlarmSeconds: num('oldestMessageAgeAlarmSeconds', need('oldestMessageAgeAlarmSeconds')),
    outboxOldestAgeAlarmSeconds: num('outboxOldestAgeAlarmSeconds', need('outboxOldestAgeAlarmSeconds')),
    pelicanNoLeaderMinutes: num('pelicanNoLeaderMinutes', get('pelicanNoLeaderMinutes') ?? 3),
    http5xxAlarmThreshold: num('http5xxAlarmThreshold', get('http5xxAlarmThreshold') ?? 10),
    dbCpuAlarmPercent: num('dbCpuAlarmPercent', get('dbCpuAlarmPercent') ?? 80),
    dbFreeStorageAlarmGb: num('dbFreeStorageAlarmGb', get('dbFreeStorageAlarmGb') ?? 2),
    tasksBelowDesiredMinutes: num('tasksBelowDesiredMinutes', get('tasksBelowDesiredMinutes') ?? 10),
    verifySchedule: optString(get('verifySchedule')),
    verifyRepair: bool('verifyRepair', get('verifyRepair') ?? false),
  };
  validate(cfg);
  return cfg;
}

function validate(cfg: CatalogConfig): void {
  const fail = (msg: string) => {
    throw new Error(`context ${msg} (env ${cfg.envName})`);
  };
  if (cfg.maxReceiveCount < 1 || cfg.maxReceiveCount > 1000) fail('maxReceiveCount: must be 1..1000');
  if (cfg.emuMaxCount < 1) fail('emuMaxCount: must be at least 1');
  if (cfg.minEmuTasks < 0 || cfg.minEmuTasks > cfg.emuMaxCount) fail('minEmuTasks: must be 0..emuMaxCount');
  if (cfg.emuBacklogPerTask < 1) fail('emuBacklogPerTask: must be at least 1');
  if (cfg.natGateways < 1 || cfg.natGateways > 2) fail('natGateways: must be 1 or 2 (the VPC spans 2 AZs)');
  // WAF rate-based rules accept 10 .. 2 000 000 000 requests per window.
  if (cfg.searchRateLimit < 10) fail('searchRateLimit: WAF needs at least 10');
  if (cfg.pelicanNoLeaderMinutes < 1) fail('pelicanNoLeaderMinutes: must be at least 1');
  if (cfg.tasksBelowDesiredMinutes < 1) fail('tasksBelowDesiredMinutes: must be at least 1');
  if (cfg.deployPrepareTimeoutMinutes < 5 || cfg.deployPrepareTimeoutMinutes > 55) {
    // The provider's waiter must answer CloudFormation within its 1-hour custom resource timeout.
    fail('deployPrepareTimeoutMinutes: must be 5..55');
  }
  if (!cfg.certificateArn && !cfg.allowPlainHttp) {
    fail(
      'certificateArn: no certificate is set, so the site would have no HTTPS. Set -c certificateArn=arn:aws:acm:... ' +
        '(an ACM certificate for your domain, in the stack\'s region), or, for a throw-away dev stack only, ' +
        '-c allowPlainHttp=true (passwords then cross the network unencrypted)',
    );
  }
  if (cfg.domainName && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(cfg.domainName)) {
    fail(`domainName: a host name such as catalog.example.com, without scheme, port or path: ${cfg.domainName}`);
  }
  if (!Number.isInteger(cfg.uploadExpiryDays) || cfg.uploadExpiryDays < 1 || cfg.uploadExpiryDays > 3650) {
    fail('uploadExpiryDays: must be a whole number of days, 1..3650');
  }
  // The frontend refuses to start outside 1 byte .. 5 GiB (the largest single S3 PUT).
  if (!Number.isInteger(cfg.uploadMaxBytes) || cfg.uploadMaxBytes < 1 || cfg.uploadMaxBytes > 5 * GIB) {
    fail(`uploadMaxBytes: must be 1..${5 * GIB} bytes (5 GiB, one S3 PUT)`);
  }
  if (cfg.verifySchedule && !/^(rate|cron)\(.+\)$/.test(cfg.verifySchedule)) {
    fail(`verifySchedule: not an EventBridge schedule expression (rate(...) or cron(...)): ${cfg.verifySchedule}`);
  }
}
