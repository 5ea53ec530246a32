"""Headless Chromium prints the PDF without a request leaving the machine (issue 14).

Without :data:`roi_models.report.pdf.OFFLINE_FLAGS` the print looked up
``accounts.google.com``, ``clients2.google.com``, ``update.googleapis.com`` and
``optimizationguide-pa.googleapis.com`` (DNS queries to the machine's resolver) and made a UDP
``connect`` to 2001:4860:4860::8888 (Chromium's IPv6 reachability probe, before every host
resolution). The test runs the very command :func:`~roi_models.report.pdf.print_pdf` runs,
with Chromium's own request log (``--log-net-log``) and, where strace may trace, the system
calls, and expects: no host resolution at all (no resolver job, DNS transaction or system
lookup in the log), and no connection to anything but the loopback that succeeded (inside the
browser's own network namespace, :func:`~roi_models.report.pdf.network_isolation`, every other
connect fails with "network unreachable").
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from roi_models.report import pdf

LOOKUPS = {"HOST_RESOLVER_MANAGER_JOB", "HOST_RESOLVER_DNS_TASK", "HOST_RESOLVER_SYSTEM_TASK",
           "DNS_TRANSACTION", "DNS_TRANSACTION_QUERY", "DNS_TRANSACTION_ATTEMPT"}
"""Net-log events of a host resolution that goes beyond the browser (a resolver job)."""
CONNECTS = {"UDP_CONNECT", "SOCKET_CONNECT", "TCP_CONNECT"}


def _net_log(path: Path) -> tuple[dict[int, str], list[dict]]:
    text = path.read_text()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut at exit lacks its closing brackets
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return names, log["events"]


def _loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connects(names: dict[int, str], events: list[dict]) -> list[tuple[str, bool]]:
    """(address, succeeded) of every connect in the log: a begin event and its end event."""
    begun: dict[tuple[int, str], str] = {}
    done = []
    for e in events:
        kind = names[e["type"]]
        if kind not in CONNECTS:
            continue
        key = (e["source"]["id"], kind)
        params = e.get("params", {})
        if e.get("phase") == 1 and "address" in params:
            begun[key] = params["address"]
        elif e.get("phase") == 2 and key in begun:
            done.append((begun.pop(key), "net_error" not in params))
    done += [(address, True) for address in begun.values()]  # never ended: count it as made
    return done


def _strace_works() -> str | None:
    strace = shutil.which("strace")
    if strace is None:
        return None
    ok = subprocess.run([strace, "-f", "-o", "/dev/null", "true"], capture_output=True,
                        check=False).returncode == 0
    return strace if ok else None


SYSCALL = re.compile(r"(connect|sendto|sendmsg|sendmmsg)\(\d+, .*?(inet_addr|inet_pton)"
                     r"\((?:AF_INET6, )?\"([^\"]+)\".*\) = (-?\d+)")


@pytest.mark.browser
def test_the_pdf_print_makes_no_request(chromium_path, report_path, tmp_path):
    log, out = tmp_path / "net.json", tmp_path / "report.pdf"
    cmd = pdf.chromium_command(chromium_path, Path(report_path).resolve(), out,
                               tmp_path / "profile",
                               extra=[f"--log-net-log={log}", "--net-log-capture-mode=Everything"])
    strace = _strace_works()
    trace = tmp_path / "strace.txt"
    if strace:
        cmd = [strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o",
               str(trace), *cmd]
    subprocess.run(cmd, capture_output=True, timeout=180, check=False)
    assert out.read_bytes()[:5] == b"%PDF-"

    names, events = _net_log(log)
    lookups = sorted({names[e["type"]] for e in events} & LOOKUPS)
    hosts = sorted({str(e.get("params", {}).get("host")) for e in events
                    if names[e["type"]] == "HOST_RESOLVER_MANAGER_JOB"})
    # Expected: no host resolution left the browser (every name maps to ~NOTFOUND)
    assert lookups == [], hosts
    made = [address for address, ok in _connects(names, events)
            if ok and not _loopback(address)]
    isolated = bool(pdf.network_isolation())
    print(f"isolated: {isolated}; connects made outside the loopback: {made}")
    if isolated:  # Expected: inside its namespace no connect to the outside succeeds
        assert made == []
    else:  # flags alone: only Chromium's IPv6 probe, a UDP connect that sends nothing
        assert set(made) <= {"[2001:4860:4860::8888]:443"}, made
    if strace:
        outside = [(call, host, rc) for call, _, host, rc in SYSCALL.findall(trace.read_text())
                   if not ipaddress.ip_address(host).is_loopback and int(rc) >= 0]
        print(f"system calls to the outside that succeeded: {outside}")
        if isolated:
            assert outside == []
        else:
            assert all(call == "connect" and host == "2001:4860:4860::8888"
                       for call, host, _ in outside), outside


def test_the_command_is_isolated_and_offline(tmp_path):
    # Expected: the switches are in every print command, after the browser and before the
    # page; the namespace prefix (where the system allows it) comes first
    cmd = pdf.chromium_command("/usr/bin/chromium", tmp_path / "r.html", tmp_path / "r.pdf",
                               tmp_path / "profile")
    start = len(pdf.network_isolation())
    assert cmd[:start] == list(pdf.network_isolation()) and cmd[start] == "/usr/bin/chromium"
    assert "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" in cmd
    assert set(pdf.OFFLINE_FLAGS) <= set(cmd) and cmd[-1] == (tmp_path / "r.html").as_uri()
