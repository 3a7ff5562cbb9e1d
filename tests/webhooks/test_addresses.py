"""Endpoints cannot reach this server or a private network: at save, and at every delivery."""

import datetime
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.urls import reverse

from atrium.webhooks import events, services, transport
from atrium.webhooks.models import Delivery, Endpoint
from atrium.webhooks.validators import address_refused
from tests.factories import ConferenceFactory
from tests.webhooks.factories_webhooks import ConferenceRoleFactory, EndpointFactory, UserFactory

PUBLIC = "93.184.215.14"

REFUSED = [
    "127.0.0.1",  # loopback
    "127.8.9.10",
    "10.0.0.5",  # private
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud metadata service
    "100.64.0.1",  # shared (carrier-grade NAT)
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "0.0.0.0",  # noqa: S104 - unspecified
    "192.0.2.10",  # documentation
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",  # site-local
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "::ffff:10.0.0.5",  # IPv4-mapped
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "2002:0a00:0005::1",  # 6to4 of 10.0.0.5
    "64:ff9b::a00:5",  # NAT64 of 10.0.0.5
]
ALLOWED = [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"]


@pytest.mark.parametrize("address", REFUSED)
def test_refused_addresses(address):
    assert address_refused(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_pass(address):
    assert not address_refused(ipaddress.ip_address(address))


@pytest.fixture
def fake_dns(monkeypatch):
    """Names resolve to what the test says; each answer is used once, the last one kept."""
    answers: dict[str, list[str]] = {}
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        queue = answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    fake_dns.answers = answers
    fake_dns.asked = asked
    return fake_dns


@pytest.fixture
def connections(monkeypatch):
    """Record every outgoing TCP connection and refuse it (nothing leaves the machine)."""
    tried: list[tuple] = []

    def create_connection(address, *args, **kwargs):
        tried.append(address[:2])
        raise ConnectionRefusedError("refused by the test")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return tried


# Saving --------------------------------------------------------------------------------


@pytest.fixture
def organiser_client(client, db, settings):
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = []  # not even the tests' local receiver
    conference = ConferenceFactory(slug="beijing-2025")
    user = ConferenceRoleFactory(conference=conference, user=UserFactory(username="orga")).user
    client.force_login(user)
    client.list_url = reverse("webhooks:list", args=[conference.slug])
    return client


def post_endpoint(client, url):
    return client.post(client.list_url, {"url": url, "events": [events.CHECKIN_CREATED]})


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8443/",
        "https://10.0.0.5/",
        "https://[::1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",
        "https://[::ffff:10.0.0.5]/",
        "https://[fe80::1]/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "https://2130706433/",  # 127.0.0.1 written as one number
        "https://localhost:8443/",
    ],
)
def test_the_form_refuses_private_addresses_on_the_url_field(organiser_client, url):
    response = post_endpoint(organiser_client, url)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["url"])
    assert "private network" in errors
    assert "private network" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_a_name_that_resolves_to_a_private_address_is_refused_at_save(organiser_client, fake_dns):
    fake_dns.answers["intranet.example.org"] = ["10.1.2.3"]
    response = post_endpoint(organiser_client, "https://intranet.example.org/hooks")
    assert response.status_code == 400
    assert "private network" in " ".join(response.context["form"].errors["url"])
    assert not Endpoint.objects.exists()


def test_a_public_name_is_saved(organiser_client, fake_dns):
    fake_dns.answers["crm.example.org"] = [PUBLIC]
    response = post_endpoint(organiser_client, "https://crm.example.org/hooks")
    assert response.status_code == 200
    assert Endpoint.objects.get().url == "https://crm.example.org/hooks"


def test_the_hosts_in_the_setting_may_be_private(organiser_client, settings, receiver):
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = []
    assert post_endpoint(organiser_client, receiver.url).status_code == 400
    assert post_endpoint(organiser_client, receiver.url.replace("http:", "https:")).status_code == (
        400
    )
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    assert post_endpoint(organiser_client, receiver.url).status_code == 200
    endpoint = Endpoint.objects.get()
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1


# Delivering ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["https://10.0.0.5/", "https://[::ffff:10.0.0.5]/", "https://169.254.169.254/"]
)
def test_an_endpoint_saved_before_the_rule_fails_without_a_connection(url, connections):
    endpoint = EndpointFactory(url=url)  # saved without validation, like an old row
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert connections == []
    assert delivery.status == Delivery.Status.FAILED  # not retried: the address is refused
    assert delivery.attempts == 1
    assert "private network" in delivery.last_error
    assert delivery.last_response_body == ""


@pytest.mark.django_db
def test_a_name_that_turns_private_after_saving_is_refused_at_delivery(
    organiser_client, fake_dns, receiver
):
    fake_dns.answers["crm.example.org"] = [PUBLIC]
    port = receiver.server.server_address[1]
    assert post_endpoint(organiser_client, f"https://crm.example.org:{port}/hooks").status_code == (
        200
    )
    fake_dns.answers["crm.example.org"] = ["127.0.0.1"]  # where the receiver listens
    delivery = Delivery.objects.create(
        endpoint=Endpoint.objects.get(), event=events.CHECKIN_CREATED
    )
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "private network" in delivery.last_error
    assert receiver.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(fake_dns, connections):
    # A name that answers a public address first and a private one afterwards (DNS
    # rebinding): the check and the connection must use the same answer.
    fake_dns.answers["rebind.example"] = [PUBLIC, "127.0.0.1"]
    response = transport.post(
        "https://rebind.example:8443/hooks", body=b"{}", headers={}, timeout=1
    )
    assert connections == [(PUBLIC, 8443)]
    assert fake_dns.asked == ["rebind.example"]
    assert response.status_code is None
    assert "refused by the test" in response.error


def test_every_address_of_a_name_is_checked(fake_dns, monkeypatch, connections):
    real = socket.getaddrinfo

    def two_answers(host, port, *args, **kwargs):
        if host != "mixed.example":
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (PUBLIC, port)),
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_answers)
    response = transport.post("https://mixed.example/", body=b"{}", headers={}, timeout=1)
    assert response.refused
    assert connections == []


def test_a_listed_name_is_reached_at_its_checked_address_with_its_host_header(
    fake_dns, receiver, settings
):
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["receiver.test"]
    fake_dns.answers["receiver.test"] = ["127.0.0.1"]
    port = receiver.server.server_address[1]
    response = transport.post(
        f"http://receiver.test:{port}/hooks?x=1", body=b"{}", headers={}, timeout=5
    )
    assert response.status_code == 200
    [request] = receiver.requests
    assert request.headers["Host"] == f"receiver.test:{port}"
    assert request.path == "/hooks?x=1"


def test_a_redirect_to_a_private_address_is_not_followed(fake_dns, receiver, settings):
    from tests.webhooks.receiver import Answer

    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    target = f"http://127.0.0.1:{receiver.server.server_address[1]}/second"
    receiver.answer(Answer(status=307, headers=(("Location", target),)))
    response = transport.post(receiver.url, body=b"{}", headers={}, timeout=5)
    assert response.status_code == 307
    assert [request.path for request in receiver.requests] == ["/hooks/atrium"]


# https: the certificate is checked for the name, which is sent as SNI ---------------------


def certificate_for(name: str, directory) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_receiver(tmp_path):
    """An https receiver on 127.0.0.1 whose certificate names ``hooks.test``."""
    cert, key = certificate_for("hooks.test", tmp_path)
    seen = {"sni": [], "hosts": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen["hosts"].append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):  # noqa: A002 - quiet
            return

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    server.seen = seen
    server.ca = cert
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.real_clock  # OpenSSL checks the certificate against the real date
def test_https_sends_the_name_and_verifies_the_certificate_for_it(
    fake_dns, tls_receiver, settings, tmp_path
):
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["hooks.test", "other.test"]
    fake_dns.answers["hooks.test"] = ["127.0.0.1"]
    fake_dns.answers["other.test"] = ["127.0.0.1"]
    port = tls_receiver.server_address[1]
    trusted = ssl.create_default_context(cafile=tls_receiver.ca)

    response = transport.post(
        f"https://hooks.test:{port}/hooks", body=b"{}", headers={}, timeout=5, tls_context=trusted
    )
    assert response.status_code == 204, response.error
    assert tls_receiver.seen["sni"] == ["hooks.test"]
    assert tls_receiver.seen["hosts"] == [f"hooks.test:{port}"]

    # The same server under a name its certificate does not carry: refused by the check.
    response = transport.post(
        f"https://other.test:{port}/hooks", body=b"{}", headers={}, timeout=5, tls_context=trusted
    )
    assert response.status_code is None
    assert "certificate" in response.error.lower()
    assert tls_receiver.seen["hosts"] == [f"hooks.test:{port}"]
