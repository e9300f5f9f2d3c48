import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Skips one checkov check on the CloudFormation resources at and below
 * `scope` (template metadata `checkov.skip`, which checkov reads), with the
 * reason beside the code that needs it. Checks that concern the whole
 * template are skipped in infra/.checkov.yaml instead.
 */
export function skipCheckov(scope: IConstruct, check: string, reason: string): void {
  for (const c of scope.node.findAll()) {
    if (!(c instanceof CfnResource)) continue;
    const existing = (c.getMetadata('checkov') as { skip?: { id: string; comment: string }[] } | undefined) ?? {};
    c.addMetadata('checkov', { skip: [...(existing.skip ?? []), { id: check, comment: reason }] });
  }
}
