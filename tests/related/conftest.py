from __future__ import annotations

import pytest

from related.rebuild import rebuild


@pytest.fixture
def rebuild_all():
    """Recompute the index and every stored list, as ``manage.py rebuild_related`` does."""

    def run() -> None:
        rebuild()

    return run


STORY = {
    "port": (
        "Fentanyl precursors seized at Manzanillo port",
        "Customs agents found chemical precursors hidden in containers from Asia.",
        "<p>Customs agents at the Manzanillo port seized tonnes of fentanyl precursor "
        "chemicals hidden in shipping containers. Investigators traced the containers to "
        "brokers who supply clandestine laboratories in Sinaloa with chemical precursors.</p>",
    ),
    "cattle": (
        "Cattle ranchers pay extortion fees in Michoacán",
        "Ranchers describe weekly quotas collected by armed men.",
        "<p>Ranchers in the hot lands described weekly quotas on every head of cattle, "
        "collected by armed men at roadside checkpoints near avocado orchards.</p>",
    ),
    "prison": (
        "Inmates run a phone scam from a prison wing",
        "Guards were paid to look away while inmates called victims.",
        "<p>Inmates used smuggled telephones to call victims and demand ransom for "
        "invented kidnappings, while guards collected bribes for silence.</p>",
    ),
    "mining": (
        "Illegal gold mining poisons rivers in the Amazon",
        "Dredges and mercury spread along remote tributaries.",
        "<p>Illegal dredges pump mercury into remote tributaries, and gold buyers launder "
        "the metal through front companies exporting to refineries.</p>",
    ),
    "election": (
        "Candidates threatened ahead of municipal elections",
        "Several mayoral hopefuls withdrew after threats.",
        "<p>Several mayoral hopefuls withdrew after receiving threats, and a campaign "
        "coordinator was shot outside a rally in a rural municipality.</p>",
    ),
}


def story(name: str) -> dict[str, str]:
    title, dek, body = STORY[name]
    return {"title": title, "dek": dek, "body": body}
