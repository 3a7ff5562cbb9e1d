"""Conflicts of interest, found and not only declared: pure functions over plain data.

A reviewer may not review a submission when

- ``same_person``: the reviewer is the submitter;
- ``coauthor``: the reviewer is a co-author or team member of it;
- ``same_organisation``: the reviewer's organisation is that of the submitter, of a
  co-author or of the entry;
- ``related_organisation``: one of those organisations sits inside the other (a parent or a
  sub-organisation, at any depth, from the directory's tree);
- ``email_domain``: the reviewer's e-mail has the same domain as a party's, unless it is a
  public mail provider (:data:`PUBLIC_MAIL_DOMAINS`);
- ``same_country``: the reviewer comes from a party's country, when the call says so;
- ``declared``: the reviewer (or an organiser) declared it;
- ``bid``: the reviewer bid "conflict" on it.

The data are gathered by ``atrium.reviews.selectors.call_conflicts``; here nothing touches
the database, so every reason is tested with plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

#: Mail providers anyone can use: the same domain there says nothing about a tie.
#: The reserved example domains (RFC 2606) are listed too: demo and test people share them.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.co.jp",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "aliyun.com",
        "139.com",
        "naver.com",
        "example.org",
        "example.com",
        "example.net",
    }
)

REASONS = {
    "same_person": _("is the submitter"),
    "coauthor": _("is a co-author"),
    "same_organisation": _("same organisation"),
    "related_organisation": _("parent or sub-organisation"),
    "email_domain": _("same e-mail domain"),
    "same_country": _("same country"),
    "declared": _("declared conflict"),
    "bid": _("bid: conflict of interest"),
}


@dataclass(frozen=True)
class Party:
    """A person seen by the rules: a reviewer, a submitter or a co-author."""

    person_id: int | None = None
    email: str = ""
    organisation_id: int | None = None
    country: str = ""


@dataclass(frozen=True)
class SubmissionParties:
    id: int
    submitter: Party
    coauthors: tuple[Party, ...] = ()
    organisation_id: int | None = None  # an award entry's organisation


@dataclass(frozen=True)
class Conflict:
    reviewer: int
    submission: int
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


def email_domain(email: str) -> str:
    """The domain of an address, lower-case; "" for a public provider or none."""
    _local, at, domain = (email or "").strip().lower().rpartition("@")
    if not at or not domain or domain in PUBLIC_MAIL_DOMAINS:
        return ""
    return domain


def organisation_family(org_id: int | None, parents: Mapping[int, int | None]) -> set[int]:
    """``org_id``, its ancestors and its descendants (at any depth) in the directory's tree."""
    if org_id is None:
        return set()
    return set(_Tree(parents).family(org_id))


class _Tree:
    """Ancestors and descendants of organisations, computed once per call."""

    def __init__(self, parents: Mapping[int, int | None]):
        self.parents = parents
        self.children: dict[int, list[int]] = {}
        for child, parent in parents.items():
            if parent is not None:
                self.children.setdefault(parent, []).append(child)
        self._cache: dict[int, frozenset[int]] = {}

    def family(self, org_id: int) -> frozenset[int]:
        if org_id not in self._cache:
            family = {org_id}
            up = self.parents.get(org_id)
            while up is not None and up not in family:
                family.add(up)
                up = self.parents.get(up)
            stack = [org_id]
            while stack:
                for child in self.children.get(stack.pop(), ()):
                    if child not in family:
                        family.add(child)
                        stack.append(child)
            self._cache[org_id] = frozenset(family)
        return self._cache[org_id]


def pair_reasons(
    reviewer: Party,
    submission: SubmissionParties,
    *,
    tree: _Tree | None = None,
    parents: Mapping[int, int | None] | None = None,
    same_country: bool = False,
    declared: bool = False,
    bid_conflict: bool = False,
) -> tuple[str, ...]:
    """Every reason why ``reviewer`` may not review ``submission`` (empty: no conflict)."""
    tree = tree or _Tree(parents or {})
    reasons: list[str] = []
    parties = (submission.submitter, *submission.coauthors)
    pid = reviewer.person_id
    if pid is not None and submission.submitter.person_id == pid:
        reasons.append("same_person")
    if pid is not None and any(c.person_id == pid for c in submission.coauthors):
        reasons.append("coauthor")
    org = reviewer.organisation_id
    if org is not None:
        theirs = {p.organisation_id for p in parties if p.organisation_id is not None}
        if submission.organisation_id is not None:
            theirs.add(submission.organisation_id)
        if org in theirs:
            reasons.append("same_organisation")
        elif tree.family(org) & theirs:
            reasons.append("related_organisation")
    domain = email_domain(reviewer.email)
    if domain and any(email_domain(p.email) == domain for p in parties):
        reasons.append("email_domain")
    if same_country and reviewer.country and any(p.country == reviewer.country for p in parties):
        reasons.append("same_country")
    if declared:
        reasons.append("declared")
    if bid_conflict:
        reasons.append("bid")
    return tuple(reasons)


def find_conflicts(
    reviewers: Mapping[int, Party],
    submissions: Iterable[SubmissionParties],
    *,
    parents: Mapping[int, int | None],
    same_country: bool = False,
    declared: Iterable[tuple[int, int]] = (),
    bid_conflicts: Iterable[tuple[int, int]] = (),
) -> dict[tuple[int, int], Conflict]:
    """Every conflicted (reviewer id, submission id) pair of a call, with its reasons.

    Submissions are indexed by person, organisation, e-mail domain and country, so each
    reviewer meets only the submissions it may conflict with: the cost grows with the
    conflicts, not with reviewers × submissions.
    """
    tree = _Tree(parents)
    declared = set(declared)
    bid_conflicts = set(bid_conflicts)
    submissions = {s.id: s for s in submissions}
    by_person: dict[int, set[int]] = {}
    by_org: dict[int, set[int]] = {}
    by_domain: dict[str, set[int]] = {}
    by_country: dict[str, set[int]] = {}
    for s in submissions.values():
        orgs = {s.organisation_id} if s.organisation_id is not None else set()
        for p in (s.submitter, *s.coauthors):
            if p.person_id is not None:
                by_person.setdefault(p.person_id, set()).add(s.id)
            if p.organisation_id is not None:
                orgs.add(p.organisation_id)
            if domain := email_domain(p.email):
                by_domain.setdefault(domain, set()).add(s.id)
            if same_country and p.country:
                by_country.setdefault(p.country, set()).add(s.id)
        for org in orgs:
            by_org.setdefault(org, set()).add(s.id)
    candidates: dict[int, set[int]] = {}
    for rid, sid in declared | bid_conflicts:
        if rid in reviewers and sid in submissions:
            candidates.setdefault(rid, set()).add(sid)
    for rid, party in reviewers.items():
        found = candidates.setdefault(rid, set())
        if party.person_id is not None:
            found |= by_person.get(party.person_id, set())
        if party.organisation_id is not None:
            for org in tree.family(party.organisation_id):
                found |= by_org.get(org, set())
        if domain := email_domain(party.email):
            found |= by_domain.get(domain, set())
        if same_country and party.country:
            found |= by_country.get(party.country, set())
    result: dict[tuple[int, int], Conflict] = {}
    for rid, sids in candidates.items():
        for sid in sids:
            key = (rid, sid)
            reasons = pair_reasons(
                reviewers[rid],
                submissions[sid],
                tree=tree,
                same_country=same_country,
                declared=key in declared,
                bid_conflict=key in bid_conflicts,
            )
            if reasons:
                result[key] = Conflict(rid, sid, reasons)
    return result
