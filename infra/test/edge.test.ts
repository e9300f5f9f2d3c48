// The edge: the load balancer's listeners and routes, HTTPS, and the WAF.
import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { INTERNAL_PATHS } from '../lib/constructs/public-routes';
import { REPO_ROOT, CERT, build, synth, idOf, resourcesOf, container, envOf } from './stack-helpers';

const dev = synth();

describe('edge', () => {
  const listeners = (t: Template) => resourcesOf(t, 'AWS::ElasticLoadBalancingV2::Listener');
  const rules = (t: Template) => resourcesOf(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
  const https = build({ certificateArn: CERT });

  test('with a certificate: HTTPS on 443, and port 80 only redirects to it', () => {
    const t = https.template;
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERT }],
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
    const http = listeners(t).find(([, l]) => l.Properties.Port === 80)!;
    expect(http[1].Properties.DefaultActions).toEqual([
      { Type: 'redirect', RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }) },
    ]);
    // No rule forwards anything on port 80.
    for (const r of rules(t)) expect(r.ListenerArn).not.toEqual({ Ref: http[0] });
    https.annotations.hasNoWarning('*', Match.stringLikeRegexp('PLAIN HTTP'));
  });

  test('without a certificate: refused, unless allowPlainHttp opts in (dev default), with a loud warning', () => {
    expect(() => synth({ allowPlainHttp: 'false' })).toThrow(/certificateArn/);
    expect(() => synth({ env: 'prod' })).toThrow(/certificateArn/);
    expect(listeners(dev).map(([, l]) => l.Properties.Port)).toEqual([80]);
    build().annotations.hasWarning('*', Match.stringLikeRegexp('PLAIN HTTP'));
  });

  test('HSTS: the frontend sends it when the site is served over HTTPS, and only then', () => {
    expect(envOf(container(https.template, 'catalog-dev-frontend')).FRONTEND_HSTS).toBe('true');
    expect(envOf(container(dev, 'catalog-dev-frontend')).FRONTEND_HSTS).toBeUndefined();
  });

  /** ALB path-pattern semantics: case-sensitive, `*` any characters, `?` one. */
  const matches = (pattern: string, p: string) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(p);
  const publicPatterns = (t: Template) =>
    rules(t).flatMap((r) => (r.Conditions as Array<{ Field: string; PathPatternConfig: { Values: string[] } }>)
      .filter((c) => c.Field === 'path-pattern')
      .flatMap((c) => c.PathPatternConfig.Values));
  const routed = (t: Template, p: string) => publicPatterns(t).some((pattern) => matches(pattern, p));

  /** Every route the frontend's sources declare (axum `.route("…")` and utoipa `path = "…"`). */
  function frontendRoutes(): string[] {
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (['target', 'node_modules', '.git', 'infra', '.local'].includes(e.name)) continue;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.name.endsWith('.rs') && full.split(path.sep).includes('frontend')) {
          const text = fs.readFileSync(full, 'utf8');
          for (const m of text.matchAll(/\.route\(\s*"([^"]+)"|\bpath\s*=\s*"(\/[^"]*)"/g)) found.add(m[1] ?? m[2]);
        }
      }
    };
    walk(REPO_ROOT);
    return [...found].map((r) => r.replace(/\{[^}]+\}/g, 'SKU-1'));
  }

  test('only the public paths reach the frontend; /metrics, /readyz, /healthz answer 404 at the ALB', () => {
    for (const t of [dev, https.template]) {
      const serving = listeners(t).find(([, l]) => l.Properties.DefaultActions[0].Type === 'fixed-response')!;
      expect(serving[1].Properties.DefaultActions[0].FixedResponseConfig.StatusCode).toBe('404');
      for (const r of rules(t)) {
        expect(r.ListenerArn).toEqual({ Ref: serving[0] });
        expect(r.Actions[0].Type).toBe('forward');
      }
      for (const p of INTERNAL_PATHS) expect(routed(t, p)).toBe(false);
      for (const p of ['/metrics/', '/readyz?x=1', '/api', '/healthz/', '/static']) expect(routed(t, p)).toBe(false);
    }
    const routes = frontendRoutes();
    expect(routes.length).toBeGreaterThan(15); // the scan found the routers
    expect(routes).toEqual(expect.arrayContaining([...INTERNAL_PATHS, '/', '/api/search']));
    for (const r of routes) expect([r, routed(dev, r)]).toEqual([r, !(INTERNAL_PATHS as readonly string[]).includes(r)]);
    // The target group's own health check still calls /readyz on each task.
    dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/readyz', Port: 8080 });
  });

  test('WAF: rate limit per IP on the search page and /api/search (429), AWS managed rules, on the ALB', () => {
    const acl = Object.values(dev.findResources('AWS::WAFv2::WebACL'))[0].Properties;
    expect(acl.Scope).toBe('REGIONAL');
    const rate = acl.Rules.find((r: { Name: string }) => r.Name === 'search-rate');
    expect(rate.Action.Block.CustomResponse.ResponseCode).toBe(429);
    expect(rate.Statement.RateBasedStatement).toMatchObject({ Limit: 600, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
    const scoped = rate.Statement.RateBasedStatement.ScopeDownStatement.OrStatement.Statements.map(
      (s: { ByteMatchStatement: { SearchString: string; PositionalConstraint: string } }) => [
        s.ByteMatchStatement.SearchString,
        s.ByteMatchStatement.PositionalConstraint,
      ],
    );
    expect(scoped).toEqual([['/api/search', 'EXACTLY'], ['/', 'EXACTLY']]);
    const groups = acl.Rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement).map(
      (r: any) => r.Statement.ManagedRuleGroupStatement.Name,
    );
    expect(groups).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    const albId = idOf(dev, 'AWS::ElasticLoadBalancingV2::LoadBalancer', () => true);
    dev.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: { Ref: albId } });
    const limited = Object.values(synth({ searchRateLimit: '120' }).findResources('AWS::WAFv2::WebACL'))[0];
    expect(JSON.stringify(limited)).toContain('"Limit":120');
  });
});
