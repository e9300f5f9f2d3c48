import { aws_elasticloadbalancingv2 as elbv2, aws_wafv2 as wafv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Paths that run a search: the JSON API and the page (`/?q=...`). */
export const SEARCH_PATHS = ['/api/search', '/'] as const;

export interface WebAclProps {
  readonly name: string;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** Requests per client IP per 5 minutes to the search paths before WAF answers 429. */
  readonly searchRateLimit: number;
}

/**
 * AWS WAF in front of the load balancer:
 *
 * 1. `search-rate`: search is unauthenticated and each query costs an
 *    embedding (CPU) and two database queries, so one client IP gets at most
 *    `searchRateLimit` search requests per 5 minutes; past that WAF answers
 *    429 until the rate drops. The page searches as the user types (after a
 *    pause), so the default (600, 2/s sustained) leaves people room.
 * 2. `aws-common`: AWS managed common rule set (OWASP-style probes, bad bots).
 *    Its SizeRestrictions_BODY rule (bodies over 8 KB) only counts: a product
 *    edit with a long description is a legitimate large body.
 * 3. `aws-known-bad-inputs`: AWS managed known-bad-inputs set (Log4j JNDI
 *    lookups and similar exploit payloads).
 *
 * Every rule publishes CloudWatch metrics (free) and sampled requests.
 */
export class WebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const pathIs = (path: string): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'EXACTLY',
        searchString: path,
        // Decode and lowercase first, so /API/%73earch counts as /api/search.
        textTransformations: [
          { priority: 0, type: 'URL_DECODE' },
          { priority: 1, type: 'LOWERCASE' },
        ],
      },
    });
    const managed = (
      ruleName: string,
      group: string,
      priority: number,
      countOnly?: string[],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name: ruleName,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name: group,
          ruleActionOverrides: countOnly?.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(`${props.name}-${ruleName}`),
    });

    this.acl = new wafv2.CfnWebACL(this, 'Acl', {
      name: props.name,
      description: 'catalog frontend: search rate limit and AWS managed rules',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: {
        'too-many-searches': {
          contentType: 'TEXT_PLAIN',
          content: 'Too many searches from your address. Please wait a few minutes.',
        },
      },
      rules: [
        {
          name: 'search-rate',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'too-many-searches' } } },
          statement: {
            rateBasedStatement: {
              limit: props.searchRateLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: { orStatement: { statements: SEARCH_PATHS.map(pathIs) } },
            },
          },
          visibilityConfig: visibility(`${props.name}-search-rate`),
        },
        managed('aws-common', 'AWSManagedRulesCommonRuleSet', 10, ['SizeRestrictions_BODY']),
        managed('aws-known-bad-inputs', 'AWSManagedRulesKnownBadInputsRuleSet', 20),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.loadBalancer.loadBalancerArn,
      webAclArn: this.acl.attrArn,
    });
  }
}
