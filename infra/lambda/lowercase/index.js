'use strict';
/*
 * Custom::Lowercase (lib/constructs/uploads.ts): answers `Value` lowercased.
 *
 * CloudFormation has no lowercase function, and the load balancer's DNS name
 * (GetAtt DNSName) keeps the capitals of its generated name
 * (`Catalo-EdgeA-1ABC...`). Browsers lowercase the host of the page's
 * origin, and S3 matches a CORS rule's AllowedOrigin case-sensitively, so the
 * uploads bucket's rule needs the lowercase form. Runs only when a deploy
 * creates or changes the resource; calls no AWS API.
 *
 * CDK's entry point (`__entrypoint__.js`, added at synth) sends the answer to
 * CloudFormation; this function only returns it.
 */

async function handler(event) {
  if (event.RequestType === 'Delete') return {};
  const value = event.ResourceProperties.Value;
  if (typeof value !== 'string') throw new Error(`Value must be a string, got ${JSON.stringify(value)}`);
  return { Data: { Value: value.toLowerCase() } };
}

module.exports = { handler };
