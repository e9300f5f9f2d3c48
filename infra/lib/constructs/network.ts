import { Aspects, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { skipCheckov } from '../checkov';
import { NatType } from '../config';

export interface NetworkProps {
  /** NAT devices, one per AZ up to 2 (the tasks of an AZ without one route through the other's). */
  readonly natGateways: number;
  readonly natType: NatType;
  /** Instance type when `natType` is `instance`. */
  readonly natInstanceType: string;
}

/**
 * VPC over 2 AZs: public subnets (ALB, NAT), private subnets with egress (the
 * Fargate tasks), isolated subnets (RDS, no route out).
 *
 * Egress goes through NAT, not interface endpoints. The tasks need SQS, SNS,
 * ECR (api + dkr), Secrets Manager, SSM and CloudWatch Logs: seven interface
 * endpoints x 2 AZs x $0.01/h (~$102/month) before data, against ~$33/month
 * per NAT gateway; and Pinecone and the ADOT image (public ECR) are outside
 * the VPC anyway. The free S3 gateway endpoint keeps ECR image layers (served
 * from S3) and the frontend's reads of uploaded files (bulk upload) off the NAT.
 *
 * `natType: gateway` (prod: one per AZ, so losing an AZ never cuts the other
 * AZ's egress) is the managed, highly available choice. `natType: instance`
 * (dev) is one t4g.nano running Amazon Linux 2023 with iptables NAT: ~$4/month
 * instead of ~$33, but a single instance that nobody patches for you and that
 * takes the tasks' egress with it if it stops. Fine for a dev stack.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natInstances =
      props.natType === 'instance'
        ? ec2.NatProvider.instanceV2({
            instanceType: new ec2.InstanceType(props.natInstanceType),
            associatePublicIpAddress: true,
            // Standard credits: a burst can slow the NAT down but never bills
            // surplus credits, so the dev bill stays what docs/deploy.md says.
            creditSpecification: ec2.CpuCredits.STANDARD,
            // Nothing may reach the instance from outside; the VPC is allowed below.
            defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
          })
        : undefined;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      natGatewayProvider: natInstances ?? ec2.NatProvider.gateway(),
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });
    if (natInstances) {
      natInstances.connections.allowFrom(
        ec2.Peer.ipv4(this.vpc.vpcCidrBlock),
        ec2.Port.allTraffic(),
        'NAT for the private subnets',
      );
      // IMDSv2 only: the instance role has no permissions, but a NAT box
      // forwarding traffic should not answer IMDSv1 requests either.
      Aspects.of(this).add(new ec2.InstanceRequireImdsv2Aspect());
      for (const instance of natInstances.gatewayInstances) {
        skipCheckov(instance, 'CKV_AWS_88', 'a NAT instance needs a public IP to forward the private subnets\' traffic');
      }
    }
  }
}
