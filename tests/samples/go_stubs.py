"""Stand-ins for the two AWS SDK for Go v2 modules the Go helper imports (the Go module proxy is
not reachable here, so the real SDK cannot be downloaded): the same import paths, names and
signatures, and a real GetSecretValue call over HTTP to the endpoint in AWS_ENDPOINT_URL (moto),
so `go vet` type-checks the rewritten service and `go run` prints the secret it read."""
from __future__ import annotations

from pathlib import Path

AWS = '''package aws

// Config is what config.LoadDefaultConfig returns.
type Config struct{ Endpoint string }
'''

CONFIG = '''package config

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func LoadDefaultConfig(ctx context.Context, optFns ...func(*struct{}) error) (aws.Config, error) {
	return aws.Config{Endpoint: os.Getenv("AWS_ENDPOINT_URL")}, nil
}
'''

SECRETSMANAGER = '''package secretsmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

type Client struct{ endpoint string }

type GetSecretValueInput struct{ SecretId *string }

type GetSecretValueOutput struct{ SecretString *string }

func NewFromConfig(cfg aws.Config, optFns ...func(*struct{})) *Client { return &Client{endpoint: cfg.Endpoint} }

func (c *Client) GetSecretValue(ctx context.Context, in *GetSecretValueInput, optFns ...func(*struct{})) (*GetSecretValueOutput, error) {
	body, _ := json.Marshal(map[string]string{"SecretId": *in.SecretId})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GetSecretValue: HTTP %d", resp.StatusCode)
	}
	var out struct{ SecretString string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &GetSecretValueOutput{SecretString: &out.SecretString}, nil
}
'''

MODULES = {
    "github.com/aws/aws-sdk-go-v2": {"aws/aws.go": AWS},
    "github.com/aws/aws-sdk-go-v2/config": {"config.go": CONFIG},
    "github.com/aws/aws-sdk-go-v2/service/secretsmanager": {"api.go": SECRETSMANAGER},
}


def install(stubs: Path, service: Path) -> None:
    """Write the stand-in modules under ``stubs`` and point ``service``'s go.mod at them."""
    lines = []
    for module, files in MODULES.items():
        folder = stubs / module.replace("/", "_")
        for rel, body in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(body)
        requires = "" if module == "github.com/aws/aws-sdk-go-v2" else \
            "\nrequire github.com/aws/aws-sdk-go-v2 v1.0.0\nreplace github.com/aws/aws-sdk-go-v2 => " \
            + str(stubs / "github.com_aws_aws-sdk-go-v2") + "\n"
        (folder / "go.mod").write_text(f"module {module}\n\ngo 1.21\n{requires}")
        lines.append(f"require {module} v1.0.0\nreplace {module} => {folder}\n")
    gomod = service / "go.mod"
    gomod.write_text(gomod.read_text() + "\n" + "".join(lines))
