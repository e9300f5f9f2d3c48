// What the stack tests share: synthesising the stack as `cdk synth` would,
// and reading resources, task definitions, containers and policies out of
// the template. No stack is synthesised on import: each test file makes the
// templates it needs.
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import { CatalogStack } from '../lib/catalog-stack';
import { loadConfig } from '../lib/config';

// The environments of cdk.json, so the tests see what `cdk synth` sees.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkJson = require('../cdk.json') as { context: Record<string, unknown> };
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/abc';

export function build(context: Record<string, unknown> = {}): { template: Template; annotations: Annotations } {
  const app = new App({ context: { ...cdkJson.context, ...context } });
  const config = loadConfig(app.node);
  const stack = new CatalogStack(app, 'Test', { config, repoRoot: REPO_ROOT, env: { region: config.region } });
  return { template: Template.fromStack(stack), annotations: Annotations.fromStack(stack) };
}
export const synth = (context: Record<string, unknown> = {}): Template => build(context).template;

export type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
export type Container = Record<string, any>;

/** The statements of the inline policy attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOf(t: Template, rolePrefix: string): Array<Record<string, unknown>> {
  const policies = t.findResources('AWS::IAM::Policy');
  const found = Object.values(policies).filter((p) =>
    (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref.startsWith(rolePrefix)),
  );
  expect(found).toHaveLength(1);
  return found[0].Properties.PolicyDocument.Statement;
}

export function bySid(t: Template, rolePrefix: string): Record<string, Record<string, any>> {
  return Object.fromEntries(statementsOf(t, rolePrefix).map((s) => [s.Sid as string, s]));
}

export function actionsOf(statement: Record<string, unknown>): string[] {
  const a = statement.Action as string | string[];
  return (Array.isArray(a) ? a : [a]).slice().sort();
}

export function idOf(t: Template, type: string, match: (props: Record<string, any>) => boolean): string {
  const ids = Object.entries(t.findResources(type)).filter(([, r]) => match(r.Properties ?? {}));
  expect(ids).toHaveLength(1);
  return ids[0][0];
}

export function resourcesOf(t: Template, type: string): Array<[string, Resource]> {
  return Object.entries(t.findResources(type)) as Array<[string, Resource]>;
}

export function taskDef(t: Template, family: string): Resource {
  const found = resourcesOf(t, 'AWS::ECS::TaskDefinition').filter(([, r]) => r.Properties.Family === family);
  expect(found).toHaveLength(1);
  return found[0][1];
}

export function container(t: Template, family: string, name?: string): Container {
  const defs = taskDef(t, family).Properties.ContainerDefinitions as Container[];
  return name ? defs.find((c) => c.Name === name)! : defs[0];
}

export const envOf = (c: Container): Record<string, string> =>
  Object.fromEntries((c.Environment ?? []).map((e: { Name: string; Value: string }) => [e.Name, e.Value]));
export const secretsOf = (c: Container): Record<string, unknown> =>
  Object.fromEntries((c.Secrets ?? []).map((s: { Name: string; ValueFrom: unknown }) => [s.Name, s.ValueFrom]));

/** The logical ids of the job queue, its DLQ and the alert topic. */
export function queueIds(t: Template): { jobQueueId: string; dlqId: string; topicId: string } {
  return {
    jobQueueId: idOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === 'catalog-dev-jobs.fifo'),
    dlqId: idOf(t, 'AWS::SQS::Queue', (p) => p.QueueName === 'catalog-dev-jobs-dlq.fifo'),
    topicId: idOf(t, 'AWS::SNS::Topic', () => true),
  };
}

export const SERVICE_FAMILIES = ['catalog-dev-pelican', 'catalog-dev-emu', 'catalog-dev-frontend'];
