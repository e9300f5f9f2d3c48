import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface NetworkProps {
  readonly natGateways: number;
}

/**
 * VPC over 2 AZs: public subnets (ALB, NAT), private subnets with egress (the
 * Fargate tasks), isolated subnets (RDS, no route out).
 *
 * Egress: ONE NAT gateway, not interface endpoints. The tasks need SQS, SNS,
 * ECR (api + dkr), Secrets Manager and CloudWatch Logs: six interface
 * endpoints x 2 AZs x $0.01/h = $0.12/h (~$88/month) before data, against
 * ~$33/month (+ $0.045/GB) for one NAT gateway. And the Pinecone path needs
 * egress to the internet anyway (Pinecone is outside AWS), which endpoints
 * cannot give. One NAT gateway means the tasks of the other AZ lose egress
 * if that AZ fails; raise `natGateways` to 2 where that matters. The free S3
 * gateway endpoint keeps ECR image layers (served from S3) off the NAT.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
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
  }
}
