"""Validates every resource of a multi-document YAML file strictly (no unknown fields) against the
Kubernetes OpenAPI schemas that kubernetes-validate ships, and prints one JSON result a resource:
valid, invalid (with the path and the message), or no_schema for kinds the standard schemas do not
have (custom resources). Usage: validate_manifests.py KUBERNETES_VERSION FILE
"""

import json
import sys

import kubernetes_validate
import yaml


def result(resource: dict, version: str) -> dict:
    name = f"{resource.get('kind')}/{resource.get('metadata', {}).get('name')}"
    try:
        kubernetes_validate.validate(resource, version, strict=True)
        return {"resource": name, "outcome": "valid"}
    except kubernetes_validate.SchemaNotFoundError:
        return {"resource": name, "outcome": "no_schema"}
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.path)
        return {"resource": name, "outcome": "invalid", "error": f"{where}: {error.message}"}


def main() -> None:
    version, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as file:
        resources = [doc for doc in yaml.safe_load_all(file) if doc]
    json.dump([result(resource, version) for resource in resources], sys.stdout)


if __name__ == "__main__":
    main()
