import * as path from 'path';
import {
  CustomResource,
  CustomResourceProvider,
  CustomResourceProviderRuntime,
  Duration,
  RemovalPolicy,
  Token,
  aws_iam as iam,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { skipCheckov } from '../checkov';

/** Every upload lives under this prefix (crates/catalog-import/src/objects.rs, `UPLOAD_PREFIX`). */
export const UPLOAD_PREFIX = 'uploads/';

export interface UploadsProps {
  /** Days after which an uploaded file is deleted. */
  readonly expiryDays: number;
  /** UPLOAD_MAX_BYTES: the largest file the frontend signs an upload URL for. */
  readonly maxBytes: number;
  /** Keep the bucket (and what it holds) when the stack is deleted (prod); else empty and delete it (dev). */
  readonly retain: boolean;
}

/**
 * The bulk-upload bucket (docs/bulk-upload.md). The frontend signs a PUT URL
 * for `uploads/<owner hash>/<uuid>.csv` (content type and size signed), the
 * browser sends the file straight to S3, and the frontend's import workers
 * read it back (HEAD, then ranged GETs) into Postgres. Nothing else reads or
 * writes it.
 *
 * - Private: all public access blocked, ACLs disabled (bucket owner
 *   enforced), TLS 1.2+ only (bucket policy denies aws:SecureTransport=false).
 * - Encrypted with S3-managed keys (SSE-S3). A KMS key would cost $1/month
 *   plus a request per object, and the browser's PUT, signed with the
 *   frontend's role, would need kms:GenerateDataKey on it (and the worker
 *   kms:Decrypt): more grants, no gain in a one-account deployment where the
 *   same role holds both.
 * - Not versioned: an upload is written once under a fresh UUID key, the
 *   import reads it with If-Match on its ETag (a changed file fails the job),
 *   and the products land in Postgres, whose backups are the record. Old
 *   versions would only keep expired uploads around.
 * - Lifecycle: uploads expire after `expiryDays`; incomplete multipart
 *   uploads (the app makes none: one PUT up to 5 GiB) are aborted after a day.
 * - CORS: PUT from the site's own origin only (allowBrowserPutsFrom).
 */
export class Uploads extends Construct {
  readonly bucket: s3.Bucket;
  /** The frontend's UPLOAD_* settings. */
  readonly environment: Record<string, string>;
  private origin?: string;

  constructor(scope: Construct, id: string, props: UploadsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      lifecycleRules: [
        { id: 'expire-uploads', prefix: UPLOAD_PREFIX, expiration: Duration.days(props.expiryDays) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Like the database (deletionProtection): prod keeps it on teardown,
      // dev empties and deletes it (a deploy-time function deletes the objects).
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.retain,
    });
    const cfnBucket = this.bucket.node.defaultChild!;
    skipCheckov(
      cfnBucket,
      'CKV_AWS_21',
      'no versioning: uploads are written once under fresh keys, read with If-Match on their ETag, and expire ' +
        'within days; Postgres holds the imported products (lib/constructs/uploads.ts)',
    );
    skipCheckov(
      cfnBucket,
      'CKV_AWS_18',
      'no server access logs (they need a second bucket): only the frontend writes and reads, through URLs it ' +
        'signs for signed-in editors, and it logs every upload URL and import job. Turn on CloudTrail S3 data ' +
        'events for an audit requirement',
    );
    this.environment = {
      UPLOAD_BUCKET: this.bucket.bucketName,
      UPLOAD_MAX_BYTES: String(props.maxBytes),
    };
    this.node.addValidation({
      validate: () => (this.origin ? [] : ['Uploads: no CORS origin: call allowBrowserPutsFrom(the site\'s origin)']),
    });
  }

  /**
   * Lets pages of `origin` (`scheme://host`, the site as browsers load it)
   * PUT into the bucket: one CORS rule, PUT only (S3 answers the preflight
   * OPTIONS for the methods a rule allows; OPTIONS itself is not a method a
   * rule may list), the request headers the page sends (`content-type`;
   * `content-length` is the browser's own), ETag readable by the page.
   */
  allowBrowserPutsFrom(origin: string): void {
    if (this.origin) throw new Error('Uploads: allowBrowserPutsFrom was already called');
    this.origin = lowercase(this, 'Origin', origin);
    this.bucket.addCorsRule({
      id: 'browser-uploads',
      allowedMethods: [s3.HttpMethods.PUT],
      allowedOrigins: [this.origin],
      allowedHeaders: ['content-type', 'content-length'],
      exposedHeaders: ['ETag'],
      maxAge: 3600,
    });
  }

  /**
   * What the frontend's task role needs, and no more: PutObject (the upload
   * URL is signed with the role's credentials, so it can do only what the
   * role can: PUT under uploads/) and GetObject (HeadObject and the ranged
   * GetObject of the import workers), both on `uploads/*` only.
   */
  grantFrontend(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BulkUploadFiles',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects(`${UPLOAD_PREFIX}*`)],
      }),
    );
    // Without s3:ListBucket, S3 answers HEAD/GET of a missing key 403
    // AccessDenied instead of 404, and the frontend maps only 404 to "missing"
    // (objects.rs): an expired upload would read as "S3 unavailable" (503 on
    // POST /api/imports; the worker retrying the job until it gives up). S3
    // decides 403-or-404 with the requested key as s3:prefix, so a listing
    // right limited to uploads/ (all the bucket holds) is enough. Without it
    // the feature still works, with those worse answers.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BulkUploadMissingIs404',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${UPLOAD_PREFIX}*`] } },
      }),
    );
  }
}

/**
 * `value` in lowercase: at synth when it is known then, else at deploy time
 * through Custom::Lowercase (lambda/lowercase; the load balancer's DNS name
 * keeps capitals, browsers send the origin's host in lowercase, and S3
 * matches AllowedOrigin case-sensitively).
 */
function lowercase(scope: Construct, id: string, value: string): string {
  if (!Token.isUnresolved(value)) return value.toLowerCase();
  const provider = CustomResourceProvider.getOrCreateProvider(scope, 'Custom::CatalogLowercaseProvider', {
    codeDirectory: path.join(__dirname, '..', '..', 'lambda', 'lowercase'),
    runtime: CustomResourceProviderRuntime.NODEJS_22_X,
    description: 'deploy time: lowercases a string (the site origin in the uploads bucket CORS rule)',
    timeout: Duration.seconds(30),
  });
  const resource = new CustomResource(scope, id, {
    serviceToken: provider.serviceToken,
    resourceType: 'Custom::Lowercase',
    properties: { Value: value },
  });
  return resource.getAttString('Value');
}
