"""Which page showed the pixel: the Referer, reduced to what a report needs.

A Referer can carry a reader's tokens (``?email=``, ``?session=``, ``#access_token=``), so
only scheme, host and path are kept. Decisions, each tested (tests/republish/):

* only ``http``/``https``; no host, or a host that is not a DNS name: ignored;
* IP-literal hosts, ``localhost``, ``*.localhost``, ``*.local``, ``*.internal`` and
  single-label names: ignored (a partner's staging box or an intranet, not a publication;
  an IP in a report would also be a step towards identifying a person);
* our own hosts (``SITE_URL`` and ``ALLOWED_HOSTS``, with or without ``www.``): ignored;
* a partner's CMS editor or preview (``/wp-admin/``, ``/ghost/``, ``?preview=``): ignored,
  the pixel fires there while they paste the story, before any reader sees it;
* the host is lower-cased, IDNA-encoded, stripped of a trailing dot and of its default
  port, and the site is that host without ``www.``; an empty path is ``/``; the URL is
  cut at ``MAX_PAGE_URL`` characters.

Bots are recognised by User-Agent with the crawler-user-agents list (the patterns the
community keeps up to date); an empty User-Agent is a script, not a browser.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import parse_qsl, urlsplit

import crawleruseragents
from django.conf import settings

from republish.models import MAX_PAGE_URL, MAX_SITE

MAX_REFERER = 4096  # longer is junk: not even parsed
DEFAULT_PORTS = {"http": 80, "https": 443}
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".invalid", ".home.arpa")
EDITOR_PATHS = ("/wp-admin/", "/ghost/", "/admin/")
PREVIEW_PARAMETERS = {"preview", "preview_id", "_ppp"}
_DNS_NAME = re.compile(r"(?=.{1,253}\Z)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}")


@dataclass(frozen=True)
class Page:
    site: str  # host without www.
    url: str  # scheme://host[:port]/path


def _own_hosts() -> frozenset[str]:
    return _own_hosts_for(settings.SITE_URL, tuple(settings.ALLOWED_HOSTS))


@cache
def _own_hosts_for(site_url: str, allowed_hosts: tuple[str, ...]) -> frozenset[str]:
    hosts = {(urlsplit(site_url).hostname or "").lower()}
    hosts.update(host.lower().lstrip(".") for host in allowed_hosts if host != "*")
    return frozenset(host.removeprefix("www.") for host in hosts if host)


def _is_own(host: str, own: frozenset[str]) -> bool:
    site = host.removeprefix("www.")
    # ALLOWED_HOSTS ".example.org" means the domain and its subdomains: so do we.
    return site in own or any(site.endswith("." + domain) for domain in own)


def _is_local(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return host == "localhost" or host.endswith(LOCAL_SUFFIXES) or "." not in host


def page_from_referer(referer: str) -> Page | None:
    """The page a Referer names, normalised, or ``None`` when it must not be counted."""
    if not referer or len(referer) > MAX_REFERER:
        return None
    try:
        parts = urlsplit(referer.strip())
        port = parts.port
    except ValueError:  # "http://[::1", "http://host:99999"
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if _is_local(host) or not _DNS_NAME.fullmatch(host) or _is_own(host, _own_hosts()):
        return None
    path = parts.path or "/"
    if path.startswith(EDITOR_PATHS):
        return None
    if parts.query and any(
        name.lower() in PREVIEW_PARAMETERS for name, _ in parse_qsl(parts.query, True)
    ):
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    url = f"{scheme}://{netloc}{path}"[:MAX_PAGE_URL]
    return Page(site=host.removeprefix("www.")[:MAX_SITE], url=url)


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """Known crawlers, and requests that name no agent at all.

    Cached: matching ~600 patterns takes ~150 µs, and browsers' User-Agents repeat.
    """
    if not user_agent.strip():
        return True
    return crawleruseragents.is_crawler(user_agent[:512])
