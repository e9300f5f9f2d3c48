import { Node } from 'constructs';

/** Settings of one environment (cdk.json `environments.<env>`), each
 *  overridable on the command line with `-c key=value`. */
export interface CatalogConfig {
  readonly envName: string;
  readonly region: string;
  readonly natGateways: number;
  readonly dbInstanceType: string;
  readonly dbAllocatedStorageGb: number;
  readonly dbMultiAz: boolean;
  readonly dbBackupRetentionDays: number;
  readonly deletionProtection: boolean;
  /** Receives before SQS moves a job to the DLQ. */
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly oldestMessageAgeAlarmSeconds: number;
  readonly frontendDesiredCount: number;
  /** pelican replicas beyond the active one (advisory-lock standbys). */
  readonly pelicanStandbyCount: number;
  readonly emuMaxCount: number;
  /** Backlog (visible + in-flight jobs) one emu task is expected to carry. */
  readonly emuBacklogPerTask: number;
  readonly emuSpot: boolean;
  readonly containerInsights: boolean;
  /** Optional: e-mail address subscribed to the alert topic. */
  readonly alertEmail?: string;
  /** Optional: ACM certificate for an HTTPS listener (else HTTP only). */
  readonly certificateArn?: string;
  /** Optional: Pinecone index host; when set, VECTOR_STORE=pinecone. */
  readonly pineconeIndexHost?: string;
}

type Raw = Record<string, unknown>;

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
  const cfg: CatalogConfig = {
    envName,
    region: String(need('region')),
    natGateways: num('natGateways', need('natGateways')),
    dbInstanceType: String(need('dbInstanceType')),
    dbAllocatedStorageGb: num('dbAllocatedStorageGb', need('dbAllocatedStorageGb')),
    dbMultiAz: bool('dbMultiAz', need('dbMultiAz')),
    dbBackupRetentionDays: num('dbBackupRetentionDays', need('dbBackupRetentionDays')),
    deletionProtection: bool('deletionProtection', need('deletionProtection')),
    maxReceiveCount: num('maxReceiveCount', get('maxReceiveCount') ?? 5),
    visibilityTimeoutSeconds: num('visibilityTimeoutSeconds', need('visibilityTimeoutSeconds')),
    oldestMessageAgeAlarmSeconds: num('oldestMessageAgeAlarmSeconds', need('oldestMessageAgeAlarmSeconds')),
    frontendDesiredCount: num('frontendDesiredCount', need('frontendDesiredCount')),
    pelicanStandbyCount: num('pelicanStandbyCount', need('pelicanStandbyCount')),
    emuMaxCount: num('emuMaxCount', need('emuMaxCount')),
    emuBacklogPerTask: num('emuBacklogPerTask', need('emuBacklogPerTask')),
    emuSpot: bool('emuSpot', need('emuSpot')),
    containerInsights: bool('containerInsights', need('containerInsights')),
    alertEmail: optString(get('alertEmail')),
    certificateArn: optString(get('certificateArn')),
    pineconeIndexHost: optString(get('pineconeIndexHost')),
  };
  if (cfg.maxReceiveCount < 1 || cfg.maxReceiveCount > 1000) {
    throw new Error('context maxReceiveCount: must be 1..1000');
  }
  if (cfg.emuMaxCount < 1) throw new Error('context emuMaxCount: must be at least 1');
  if (cfg.emuBacklogPerTask < 1) throw new Error('context emuBacklogPerTask: must be at least 1');
  return cfg;
}
