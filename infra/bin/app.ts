#!/usr/bin/env node
// CDK entry point: one stack per environment, chosen with `-c env=dev|prod`.
// Synth needs neither AWS credentials nor Docker: nothing is looked up (the
// stack is account-agnostic; AZs resolve at deploy time) and the container
// images are only staged here; `cdk deploy` builds and pushes them.
import * as path from 'path';
import { App, Tags } from 'aws-cdk-lib';
import { CatalogStack } from '../lib/catalog-stack';
import { loadConfig } from '../lib/config';

const app = new App();
const config = loadConfig(app.node);

const stack = new CatalogStack(app, `Catalog-${config.envName}`, {
  config,
  repoRoot: path.resolve(__dirname, '..', '..'),
  // Region only, no account: the stack stays account-agnostic, so even with
  // credentials at hand synth never performs a context lookup.
  env: { region: config.region },
  description: `Catalog sync (Postgres -> SQS -> embeddings -> vector search), ${config.envName}`,
});
Tags.of(stack).add('project', 'catalog-sync');
Tags.of(stack).add('environment', config.envName);
