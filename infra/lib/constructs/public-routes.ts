import { aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';

/**
 * The frontend's public paths as ALB path patterns (case-sensitive; `*`
 * matches any characters, `/` included). Everything else, in particular
 * `/metrics`, `/readyz` (whose body names failing dependencies) and
 * `/healthz`, gets the listener's default: 404 from the load balancer. The
 * target group's health check still calls `/readyz` directly on each task.
 *
 * Taken from the routers; keep in step with them:
 *   frontend/src/web/mod.rs            /, /products/{sku}, /products/{sku}/edit,
 *                                      /login, /logout, /static/app.js, /static/app.css
 *   frontend/src/sync_status/routes.rs /status, /status/badge, /status/chart.svg,
 *                                      /status/status.js, /status/status.css, /api/status
 *   frontend/src/api/*.rs              /api/search, /api/products/{sku}, /api/openapi.json
 *   frontend/src/imports/*.rs          /imports, /imports/{id}, /imports/imports.js,
 *                                      /imports/imports.css, /api/uploads, /api/imports,
 *                                      /api/imports/{id}
 *
 * Grouped into rules of at most 5 values each (the ALB limit per rule).
 */
export const PUBLIC_PATH_RULES: readonly (readonly string[])[] = [
  ['/', '/login', '/logout', '/status', '/status/*'],
  ['/products/*', '/static/*', '/api/*', '/imports', '/imports/*'],
];

/** Paths that must never be served through the load balancer. */
export const INTERNAL_PATHS = ['/metrics', '/readyz', '/healthz'] as const;

/**
 * Forwards the public paths of `listener` to the frontend; the listener's
 * default action must answer everything else (404).
 */
export function routePublicPaths(listener: elbv2.ApplicationListener, targetGroup: elbv2.IApplicationTargetGroup): void {
  PUBLIC_PATH_RULES.forEach((patterns, i) => {
    listener.addAction(`Public${i + 1}`, {
      priority: 10 * (i + 1),
      conditions: [elbv2.ListenerCondition.pathPatterns([...patterns])],
      action: elbv2.ListenerAction.forward([targetGroup]),
    });
  });
}

/** The default action of a listener that serves only `PUBLIC_PATH_RULES`. */
export function notFound(): elbv2.ListenerAction {
  return elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' });
}
