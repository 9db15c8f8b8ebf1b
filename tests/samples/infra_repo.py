"""Sample 3: an infrastructure + services repository: Terraform (provider keys, RDS password,
a variable default), CloudFormation (a Parameter `Default` used by a resource, a Lambda's
environment), an ECS task definition, a Go service constant, a Spring Boot app (`@Value` default,
application.properties), a GitHub workflow with several jobs and `permissions:`, a Dockerfile with
build- and run-time secrets, and TOML / INI configuration.
"""
from __future__ import annotations

from pathlib import Path

from tests.samples.common import Sample, write_tree
from tests.samples.values import (
    aws_access_key_id,
    aws_secret_access_key,
    github_token,
    password,
    sendgrid_key,
    stripe_secret_key,
    url_password,
)

MAIN_TF = '''terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
  }}
}}

provider "aws" {{
  region     = "eu-west-1"
  access_key = "{akid}"
  secret_key = "{sak}"
}}

variable "reporting_api_token" {{
  description = "Token for the reporting API"
  type        = string
  default     = "{reporting_token}"
}}

resource "aws_db_instance" "ledger" {{
  identifier          = "ledger"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "ledger"
  password            = "{rds_password}"
  skip_final_snapshot = true
}}

resource "aws_ssm_parameter" "reporting" {{
  name  = "/ledger/reporting-token"
  type  = "SecureString"
  value = var.reporting_api_token
}}
'''

CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Description: Ledger database and its nightly export function

Parameters:
  DBUser:
    Type: String
    Default: ledger
  DBPassword:
    Type: String
    NoEcho: true
    Default: "{cfn_db_password}"

Resources:
  LedgerDatabase:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: !Ref DBUser
      MasterUserPassword: !Ref DBPassword

  ExportFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/ledger-export
      Code:
        ZipFile: |
          def handler(event, context):
              return "ok"
      Environment:
        Variables:
          SENDGRID_API_KEY: "{sendgrid}"
'''

TASKDEF = '''{{
  "family": "ledger-api",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "containerDefinitions": [
    {{
      "name": "ledger-api",
      "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ledger-api:1.4.0",
      "essential": true,
      "environment": [
        {{"name": "LOG_LEVEL", "value": "info"}},
        {{"name": "STRIPE_SECRET_KEY", "value": "{stripe}"}}
      ]
    }}
  ]
}}
'''

GO_MOD = "module example.com/ledger\n\ngo 1.21\n"

GO_MAIN = '''package main

import (
	"fmt"
	"net/http"
)

// The reporting API token (rotated yearly by the data team).
const reportingToken = "{go_token}"

func reportingRequest(url string) (*http.Request, error) {{
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {{
		return nil, err
	}}
	req.Header.Set("Authorization", "Bearer "+reportingToken)
	return req, nil
}}

func main() {{
	req, err := reportingRequest("https://reporting.internal/v1/ping")
	if err != nil {{
		panic(err)
	}}
	fmt.Println("REPORTING_TOKEN", req.Header.Get("Authorization")[len("Bearer "):])
}}
'''

JAVA = '''package com.example.ledger;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

@Component
public class PaymentClient {{

    private final String apiKey;

    public PaymentClient(@Value("${{payment.api-key:{spring_key}}}") String apiKey) {{
        this.apiKey = apiKey;
    }}

    public String authorization() {{
        return "Bearer " + apiKey;
    }}
}}
'''

PROPERTIES = '''spring.application.name=ledger
spring.datasource.url=jdbc:postgresql://ledger-db.internal:5432/ledger
spring.datasource.username=ledger
spring.datasource.password={spring_db_password}
management.endpoints.web.exposure.include=health
'''

WORKFLOW = '''name: deploy

on:
  push:
    branches: [main]

permissions:
  contents: read

env:
  AWS_REGION: eu-west-1

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test

  publish:
    runs-on: ubuntu-latest
    needs: test
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@v4
      - name: Push image
        env:
          REGISTRY_TOKEN: {gh_token}
        run: echo "$REGISTRY_TOKEN" | docker login ghcr.io -u ci --password-stdin

  notify:
    runs-on: ubuntu-latest
    needs: publish
    steps:
      - name: Send release mail
        env:
          SENDGRID_API_KEY: {sendgrid}
        run: ./scripts/notify.sh
'''

DOCKERFILE = '''FROM python:3.12-slim

WORKDIR /app
ARG PIP_INDEX_TOKEN={pip_token}
COPY requirements.txt .
RUN pip install --no-cache-dir --index-url "https://ci:${{PIP_INDEX_TOKEN}}@pypi.internal/simple" -r requirements.txt

ENV LOG_LEVEL=info
ENV STRIPE_SECRET_KEY={stripe}
COPY . .
CMD ["python", "-m", "ledger"]
'''

TOML = '''# Ledger worker configuration
[database]
host = "ledger-db.internal"
user = "ledger"
password = "{toml_db_password}"

[broker]
url = "amqp://ledger@mq.internal:5672/"
password = "{toml_mq_password}"
'''

INI = '''; Legacy export job
[export]
endpoint = https://export.internal/upload
username = exporter
password = {ini_password}
'''


def build(root: Path) -> Sample:
    values = {
        "akid": aws_access_key_id(31),
        "sak": aws_secret_access_key(31),
        "reporting_token": password("reporting", 3, 32),
        "rds_password": password("rds", 3),
        "cfn_db_password": password("cfndb", 3),
        "sendgrid": sendgrid_key(3),
        "stripe": stripe_secret_key(3),
        "go_token": password("gotoken", 3, 32),
        "spring_key": stripe_secret_key(33),
        "spring_db_password": password("springdb", 3),
        "gh_token": github_token(33),
        "pip_token": password("piptoken", 3, 28),
        "toml_db_password": password("tomldb", 3),
        "toml_mq_password": url_password("tomlmq", 3),
        "ini_password": password("ini", 3),
    }
    write_tree(root, {
        "terraform/main.tf": MAIN_TF.format(**values),
        "cfn/database.yaml": CFN.format(**values),
        "ecs/taskdef.json": TASKDEF.format(**values),
        "services/reporting/go.mod": GO_MOD,
        "services/reporting/main.go": GO_MAIN.format(**values),
        "services/ledger-java/src/main/java/com/example/ledger/PaymentClient.java": JAVA.format(**values),
        "services/ledger-java/src/main/resources/application.properties": PROPERTIES.format(**values),
        ".github/workflows/deploy.yml": WORKFLOW.format(**values),
        "Dockerfile": DOCKERFILE.format(**values),
        "config/worker.toml": TOML.format(**values),
        "config/export.ini": INI.format(**values),
        ".secretshift.toml": ('[migrate]\nenv = "prod"\n'
                              '[migrate.github]\nrole_arn = "arn:aws:iam::123456789012:role/ledger-deploy"\n'),
    })
    return Sample(root, values)
