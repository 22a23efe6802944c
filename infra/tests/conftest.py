"""Endpoints of the local stack (infra/stack.py with exports them), with the stack's defaults."""

import os

import pytest

KAFKA = os.environ.get("USERSTREAM_KAFKA", "127.0.0.1:19092")
SCHEMA_REGISTRY = os.environ.get("USERSTREAM_SCHEMA_REGISTRY", "http://127.0.0.1:18085")


@pytest.fixture(scope="session")
def registry_url() -> str:
    return SCHEMA_REGISTRY


@pytest.fixture(scope="session")
def kafka() -> str:
    return KAFKA
