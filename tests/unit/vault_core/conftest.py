import warnings

import boa
import pytest

from tests.fixtures.boa_protocol import actor, deploy_protocol

warnings.filterwarnings("ignore", message="casted bytecode does not match")


@pytest.fixture(scope="module", params=[6, 18], ids=["6dec", "18dec"])
def deployed(request):
    return deploy_protocol(decimals=request.param)


@pytest.fixture
def protocol(deployed):
    with boa.env.anchor():
        yield deployed


@pytest.fixture
def depositor():
    return actor("depositor")


@pytest.fixture
def attacker():
    return actor("attacker")
