// Bulk upload: the uploads bucket (private, TLS-only, expiring, CORS for the
// site's own origin), and the frontend's access to it (nobody else's).
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CERT, build, synth, bySid, actionsOf, idOf, resourcesOf, container, envOf } from './stack-helpers';

const dev = synth();
const prod = build({ env: 'prod', certificateArn: CERT });
const withDomain = build({ env: 'prod', certificateArn: CERT, domainName: 'Catalog.Example.com' });

const bucketOf = (t: Template) => {
  const buckets = resourcesOf(t, 'AWS::S3::Bucket');
  expect(buckets).toHaveLength(1);
  return { id: buckets[0][0], resource: buckets[0][1] as { Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string } };
};
const { id: bucketId, resource: bucket } = bucketOf(dev);
const corsRules = (t: Template) => bucketOf(t).resource.Properties.CorsConfiguration.CorsRules as Array<Record<string, any>>;
const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };

describe('uploads bucket', () => {
  test('encrypted with S3-managed keys, all public access blocked, ACLs disabled, not versioned', () => {
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
  });

  test('TLS only: the bucket policy denies every request without aws:SecureTransport, and TLS below 1.2', () => {
    const policy = Object.values(dev.findResources('AWS::S3::BucketPolicy'))[0].Properties;
    expect(policy.Bucket).toEqual({ Ref: bucketId });
    const statements = policy.PolicyDocument.Statement as Array<Record<string, any>>;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
        }),
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
  });

  test('lifecycle: uploads/ expires after uploadExpiryDays (default 7), incomplete multipart uploads after 1 day', () => {
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Array<Record<string, any>>;
    expect(rules).toHaveLength(2);
    expect(rules).toContainEqual({ Id: 'expire-uploads', Prefix: 'uploads/', ExpirationInDays: 7, Status: 'Enabled' });
    expect(rules).toContainEqual({
      Id: 'abort-incomplete-multipart-uploads',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      Status: 'Enabled',
    });
    const three = bucketOf(synth({ uploadExpiryDays: '3' })).resource.Properties.LifecycleConfiguration.Rules;
    expect(three).toContainEqual(expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 3 }));
    expect(() => synth({ uploadExpiryDays: '0' })).toThrow(/uploadExpiryDays/);
    expect(() => synth({ uploadExpiryDays: '1.5' })).toThrow(/uploadExpiryDays/);
  });

  test('CORS: one rule, PUT only, from exactly the site\'s origin', () => {
    for (const t of [dev, prod.template, withDomain.template]) {
      const rules = corsRules(t);
      expect(rules).toHaveLength(1);
      expect(rules[0]).toEqual({
        Id: 'browser-uploads',
        AllowedMethods: ['PUT'],
        AllowedOrigins: [expect.anything()],
        AllowedHeaders: ['content-type', 'content-length'],
        ExposedHeaders: ['ETag'],
        MaxAge: 3600,
      });
    }
    // With a domain: https://<domain>, as browsers write it (lowercase).
    expect(corsRules(withDomain.template)[0].AllowedOrigins).toEqual(['https://catalog.example.com']);
    expect(corsRules(synth({ domainName: 'dev.example.com' }))[0].AllowedOrigins).toEqual(['http://dev.example.com']);
  });

  test('CORS without a domain: the load balancer\'s origin (the Url output), lowercased at deploy time', () => {
    const albId = idOf(dev, 'AWS::ElasticLoadBalancingV2::LoadBalancer', () => true);
    const lower = resourcesOf(dev, 'Custom::Lowercase');
    expect(lower).toHaveLength(1);
    expect(corsRules(dev)[0].AllowedOrigins).toEqual([{ 'Fn::GetAtt': [lower[0][0], 'Value'] }]);
    expect(lower[0][1].Properties.Value).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [albId, 'DNSName'] }]] });
    expect(dev.toJSON().Outputs.Url.Value).toEqual(lower[0][1].Properties.Value);
    const httpsLower = resourcesOf(prod.template, 'Custom::Lowercase')[0][1];
    expect(httpsLower.Properties.Value['Fn::Join'][1][0]).toBe('https://');
    withDomain.template.resourceCountIs('Custom::Lowercase', 0);
  });

  test('the lowercasing function answers Value in lowercase and does nothing on delete', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../lambda/lowercase') as { handler: (e: unknown) => Promise<any> };
    const origin = 'http://Catalo-EdgeA-1ABC-123.us-east-1.elb.amazonaws.com';
    await expect(handler({ RequestType: 'Create', ResourceProperties: { Value: origin } })).resolves.toEqual({
      Data: { Value: 'http://catalo-edgea-1abc-123.us-east-1.elb.amazonaws.com' },
    });
    await expect(handler({ RequestType: 'Delete', ResourceProperties: { Value: origin } })).resolves.toEqual({});
    await expect(handler({ RequestType: 'Update', ResourceProperties: {} })).rejects.toThrow(/Value/);
  });

  test('HTTPS without domainName: a loud warning (uploads from the certificate\'s domain would fail CORS)', () => {
    prod.annotations.hasWarning('*', Match.stringLikeRegexp('NO DOMAIN NAME'));
    withDomain.annotations.hasNoWarning('*', Match.stringLikeRegexp('NO DOMAIN NAME'));
    build().annotations.hasNoWarning('*', Match.stringLikeRegexp('NO DOMAIN NAME'));
    for (const bad of ['https://catalog.example.com', 'catalog.example.com/x', 'catalog.example.com:8443']) {
      expect(() => synth({ domainName: bad })).toThrow(/domainName/);
    }
  });

  test('dev: deleted with the stack (emptied first); prod: kept', () => {
    expect(bucket.DeletionPolicy).toBe('Delete');
    dev.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    const kept = bucketOf(prod.template).resource;
    expect(kept.DeletionPolicy).toBe('Retain');
    expect(kept.UpdateReplacePolicy).toBe('Retain');
    prod.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('the bucket name is a stack output', () => {
    expect(dev.toJSON().Outputs.UploadBucketName.Value).toEqual({ Ref: bucketId });
  });
});

describe('access to the uploads bucket', () => {
  test('frontend: GetObject and PutObject on uploads/* only, ListBucket only for keys under uploads/', () => {
    const st = bySid(dev, 'FrontendDefTaskTaskRole');
    expect(actionsOf(st.BulkUploadFiles)).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(st.BulkUploadFiles.Resource).toEqual({ 'Fn::Join': ['', [bucketArn, '/uploads/*']] });
    expect(st.BulkUploadFiles.Condition).toBeUndefined();
    expect(actionsOf(st.BulkUploadMissingIs404)).toEqual(['s3:ListBucket']);
    expect(st.BulkUploadMissingIs404.Resource).toEqual(bucketArn);
    expect(st.BulkUploadMissingIs404.Condition).toEqual({ StringLike: { 's3:prefix': ['uploads/*'] } });
    const s3Statements = Object.values(st).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3Statements).toHaveLength(2);
    for (const s of s3Statements) {
      for (const a of actionsOf(s)) expect(a).not.toContain('*');
      expect(s.Effect).toBe('Allow');
    }
  });

  test('the frontend container gets UPLOAD_BUCKET and UPLOAD_MAX_BYTES (uploadMaxBytes, default 1 GiB)', () => {
    const env = envOf(container(dev, 'catalog-dev-frontend', 'frontend'));
    expect(env.UPLOAD_BUCKET).toEqual({ Ref: bucketId });
    expect(env.UPLOAD_MAX_BYTES).toBe('1073741824');
    expect(envOf(container(synth({ uploadMaxBytes: '10485760' }), 'catalog-dev-frontend', 'frontend')).UPLOAD_MAX_BYTES).toBe('10485760');
    expect(() => synth({ uploadMaxBytes: String(5 * 1024 ** 3 + 1) })).toThrow(/uploadMaxBytes/);
    expect(() => synth({ uploadMaxBytes: '0' })).toThrow(/uploadMaxBytes/);
  });

  test('pelican, emu and every other role and container: no S3 permission, no UPLOAD_BUCKET', () => {
    for (const role of ['PelicanDefTaskTaskRole', 'EmuDefTaskTaskRole']) {
      for (const s of Object.values(bySid(dev, role))) {
        expect(actionsOf(s).filter((a) => a.toLowerCase().startsWith('s3:'))).toEqual([]);
      }
    }
    for (const [id, policy] of resourcesOf(dev, 'AWS::IAM::Policy')) {
      if (id.startsWith('FrontendDefTaskTaskRole')) continue;
      for (const s of policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>) {
        expect([id, actionsOf(s).filter((a) => a.toLowerCase().startsWith('s3:'))]).toEqual([id, []]);
      }
    }
    for (const [, def] of resourcesOf(dev, 'AWS::ECS::TaskDefinition')) {
      if (def.Properties.Family === 'catalog-dev-frontend') continue;
      for (const c of def.Properties.ContainerDefinitions) expect(envOf(c).UPLOAD_BUCKET).toBeUndefined();
    }
    // The bucket policy allows nobody in prod; in dev only the function that empties it on teardown.
    const allows = (t: Template) =>
      (Object.values(t.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement as Array<Record<string, any>>)
        .filter((s) => s.Effect === 'Allow');
    expect(allows(prod.template)).toEqual([]);
    expect(allows(dev).map((s) => s.Principal.AWS['Fn::GetAtt'][0])).toEqual([
      expect.stringMatching(/^CustomS3AutoDeleteObjectsCustomResourceProviderRole/),
    ]);
  });

  test('the WAF guards the load balancer only; the browser\'s PUT goes straight to S3', () => {
    const albId = idOf(dev, 'AWS::ElasticLoadBalancingV2::LoadBalancer', () => true);
    const associations = resourcesOf(dev, 'AWS::WAFv2::WebACLAssociation');
    expect(associations.map(([, a]) => a.Properties.ResourceArn)).toEqual([{ Ref: albId }]);
  });
});
