import {
  Duration,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { notFound, routePublicPaths } from './public-routes';

export interface FrontendEdgeProps {
  readonly vpc: ec2.IVpc;
  readonly service: ecs.FargateService;
  readonly serviceSecurityGroup: ec2.ISecurityGroup;
  readonly port: number;
  /** ACM certificate: HTTPS on 443, and port 80 only redirects. */
  readonly certificateArn?: string;
  readonly deletionProtection: boolean;
}

/**
 * The internet-facing ALB in front of the frontend.
 *
 * With a certificate: 443 serves TLS 1.2+ (RECOMMENDED_TLS) and port 80 only
 * answers 301 to https. Without one (dev, `allowPlainHttp` opt-in, warned at
 * synth): port 80 serves the site in clear text.
 *
 * Either way the serving listener forwards only the frontend's public paths
 * (public-routes.ts) and answers 404 itself for everything else, so the
 * health and metrics endpoints are never reachable from the internet.
 */
export class FrontendEdge extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The listener that serves the site (443 with a certificate, else 80). */
  readonly servingListener: elbv2.ApplicationListener;
  readonly https: boolean;
  readonly url: string;

  constructor(scope: Construct, id: string, props: FrontendEdgeProps) {
    super(scope, id);
    this.https = props.certificateArn !== undefined;

    const albSg = new ec2.SecurityGroup(this, 'Sg', {
      vpc: props.vpc,
      description: 'frontend load balancer',
      allowAllOutbound: false,
    });
    albSg.addIngressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(80),
      this.https ? 'HTTP: redirects to HTTPS' : 'HTTP (no certificate: plain-HTTP opt-in)',
    );
    if (this.https) albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS');
    albSg.addEgressRule(props.serviceSecurityGroup, ec2.Port.tcp(props.port), 'to the frontend tasks');
    props.serviceSecurityGroup.addIngressRule(albSg, ec2.Port.tcp(props.port), 'from the load balancer');

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      securityGroup: albSg,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection,
    });
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc: props.vpc,
      port: props.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [props.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/readyz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    if (this.https) {
      this.servingListener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn!)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultAction: notFound(),
      });
      this.loadBalancer.addListener('Http', {
        port: 80,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    } else {
      this.servingListener = this.loadBalancer.addListener('Http', {
        port: 80,
        open: false,
        defaultAction: notFound(),
      });
    }
    routePublicPaths(this.servingListener, this.targetGroup);
    this.url = `${this.https ? 'https' : 'http'}://${this.loadBalancer.loadBalancerDnsName}`;
  }
}
