import pytest
import torch

import ghost_det  # noqa: F401  (before any mmdet.models import)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture
def official_weights_server(tmp_path):
    """The official state_dict_73.98.pth layout (random 1.0x weights, thop
    counters) served over HTTP on the loopback address, so that training
    downloads it through mmengine's and torch.hub's loader as the configs
    do."""
    import functools
    import http.server
    import threading

    from tests._timm_reference import randomised_timm_ghostnet
    served = tmp_path / 'served'
    served.mkdir()
    weights = dict(randomised_timm_ghostnet(1.0, seed=7).state_dict(),
                   total_params=torch.zeros(1))
    torch.save(weights, served / 'state_dict_73.98.pth')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(served))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}/state_dict_73.98.pth'
    server.shutdown()
    server.server_close()
