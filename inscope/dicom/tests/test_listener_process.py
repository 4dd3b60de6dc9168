"""``inscope dicom listen`` as a real process: it says where it listens, and stops cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import signal
import subprocess

import pytest
from pynetdicom import AE

from inscope.dicom.listener import VERIFICATION as Verification
from inscope.dicom.tests.processes import PYTHON, ROOT, database_url, start_listener_process
from inscope.testing import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("purge_allowed_after_test")]


@pytest.fixture
def room(site):
    return f.RoomFactory.create(site=site, name="X-ray room 1", modality="DX", ae_title="NGH_DX1")


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_a_signal(tmp_path, room, signal_number):
    listener = start_listener_process(tmp_path)
    try:
        assert listener.ae_title == "INSCOPE" and listener.host == "127.0.0.1"
        assert "calling AE titles restricted to the 1 registered on rooms (NGH_DX1)" in listener.first_line
        ae = AE(ae_title="NGH_DX1")
        ae.add_requested_context(Verification)
        assoc = ae.associate(listener.host, listener.port, ae_title="INSCOPE")
        assert assoc.send_c_echo().Status == 0x0000
        assoc.release()

        status, out = listener.stop(signal_number)
    finally:
        listener.kill()

    assert status == 0, listener.log.read_text()
    assert "Stopped cleanly" in out
    log = listener.log.read_text()
    assert f"Received {signal.Signals(signal_number).name}: stopping" in log
    assert "C-ECHO from NGH_DX1: success" in log


def test_refuses_to_start_on_a_port_in_use(tmp_path, room):
    first = start_listener_process(tmp_path)
    try:
        result = subprocess.run(  # noqa: S603
            [str(PYTHON), "-m", "inscope", "dicom", "listen", "--port", str(first.port)], cwd=ROOT, capture_output=True,
            text=True, timeout=60, check=False,
            env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "DATABASE_URL": database_url()},
        )
    finally:
        first.stop(signal.SIGTERM)
        first.kill()

    assert result.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{first.port}" in result.stderr
