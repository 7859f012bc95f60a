"""A bonus claim for the demo site: the first demo resident in work whom the site's rules allow is proposed
for a scheme, so the claims list, a claim's history and the reports have something to show."""

from __future__ import annotations

import logging

log = logging.getLogger("hub.bonus")


def seed(hub, db) -> int | None:
    """Propose one claim (with its first event); None when no demo resident qualifies under this site's rules."""
    from plugins.bonus import service
    from plugins.bonus.service import BonusError

    residents = [row[0] for row in db.execute("select id from residents where erased_at is null order by id")]
    for scheme in service.schemes(hub):
        for resident_id in residents:
            facts = service.gather(db, resident_id, hub.config.hub.area, service.jobs_from_hooks(hub))
            if facts is None or not facts.jobs:
                continue
            try:
                return service.propose(hub, resident_id, scheme.id,
                                       reason="Demo: payslips seen for the first four weeks").claim_id
            except BonusError:
                continue
    log.info("bonus demo: no demo resident qualifies for a claim under this site's schemes")
    return None
