"""Deterministic households in the `hub calc` input format for the PolicyEngine crosscheck.

A fixed seed makes the same households every run, so a change in the differences means
a change in one of the two engines, not in the test data. A few hand-picked households
come first (the research note's reference household and rule edges); the rest are drawn
at random across the input space the calculator accepts.

Pension-age adults are left out on purpose: State Pension age is 66 in our engine but
by date of birth in PolicyEngine, a known modelling difference, not a rule to test here.
Children are 0-15, so PolicyEngine's qualifying-young-person education test never applies.
"""

from __future__ import annotations

import random

SEED = 20262027
RANDOM_HOUSEHOLDS = 64


def adult(age=30, earnings=0.0, pension=0.0, health="none", carer=False, disability_benefit=False):
    return {"age": age, "monthly_earnings": earnings, "pension_contribution_percent": pension,
            "health": health, "carer": carer, "disability_benefit": disability_benefit}


def child(age, born_before=None, disability="none"):
    return {"age": age, "born_before_2017_04_06": age > 9 if born_before is None else born_before,
            "disability": disability}


def home(tenure="none", rent=0.0, service=0.0, lha=None, spare=0, non_dependants=0):
    return {"tenure": tenure, "monthly_rent": rent, "monthly_service_charges": service,
            "lha_monthly_cap": lha, "spare_bedrooms": spare, "non_dependants": non_dependants}


def job(adult_index=0, hours=16, wage=12.71, travel=0.0):
    return {"adult": adult_index, "hours_per_week": hours, "hourly_wage": wage, "monthly_travel_costs": travel}


def household(adults, children=(), housing=None, childcare=0.0, capital=0.0, unearned=0.0,
              london=False, offer=None, scottish=None):
    data = {"tax_year": "2026-27", "london": london, "adults": list(adults), "children": list(children),
            "housing": housing or home(), "monthly_childcare_costs": childcare, "capital": capital,
            "monthly_unearned_income": unearned}
    if offer:
        data["job"] = offer
    if scottish is not None:
        data["scottish_taxpayer"] = scottish
    return data


def hand_picked() -> list[tuple[str, dict]]:
    return [
        ("reference lone parent, NLW 16h", household([adult()], [child(4), child(7)], home("social_rent", 700), offer=job())),
        ("capped big family, 15.5h", household([adult()], [child(a) for a in (1, 3, 5, 7)], home("social_rent", 1200),
                                                offer=job(hours=15.5))),
        ("capped big family, 16h lifts cap", household([adult()], [child(a) for a in (1, 3, 5, 7)],
                                                        home("social_rent", 1200), offer=job(hours=16))),
        ("london family cap", household([adult(age=28)], [child(2), child(6), child(11)], home("social_rent", 1500),
                                        london=True, offer=job(hours=20, wage=14))),
        ("single no work allowance", household([adult(age=35)], [], home("social_rent", 520), offer=job(hours=25))),
        ("under 25 single private LHA", household([adult(age=22)], [], home("private_rent", 800, lha=650),
                                                  offer=job(hours=30, wage=11))),
        ("couple, LCWRA protected + carer", household([adult(age=45, health="lcwra_protected"), adult(age=43, carer=True)],
                                                      [child(12)], home("social_rent", 650), offer=job(1, 16, 13))),
        ("child born 5 April 2017", household([adult()], [child(9, True)], home("owner"), offer=job(hours=10))),
        ("child born 6 April 2017", household([adult()], [child(9, False)], home("owner"), offer=job(hours=10))),
        ("capital 6000.01", household([adult()], [], home("social_rent", 500), capital=6000.01, offer=job(hours=8))),
        ("capital 16000", household([adult()], [], home("social_rent", 500), capital=16000, offer=job(hours=8))),
        ("capital 16000.01", household([adult()], [], home("social_rent", 500), capital=16000.01, offer=job(hours=8))),
        ("childcare cap 2+ children", household([adult()], [child(1), child(3)], home("private_rent", 1100, lha=950),
                                                 childcare=2400, offer=job(hours=37.5, wage=16))),
        ("higher earner with HICBC", household([adult(earnings=6000, pension=5), adult(age=33)], [child(2)],
                                               home("owner"), offer=job(1, 20, 15))),
        ("Scottish taxpayer", household([adult(earnings=2600)], [child(5)], home("social_rent", 600), scottish=True,
                                        offer=job(hours=37.5, wage=20))),
        ("disabled children, cap exempt", household([adult()], [child(3, disability="lower"), child(8, disability="higher")],
                                                    home("social_rent", 900), offer=job(hours=16))),
        ("non-dependants", household([adult(age=50)], [], home("social_rent", 600, non_dependants=2), offer=job(hours=20))),
        ("maintenance income", household([adult()], [child(6)], home("social_rent", 550), unearned=250, offer=job(hours=16))),
    ]


def random_household(rng: random.Random) -> dict:
    couple = rng.random() < 0.4
    count = 2 if couple else 1
    adults = []
    for _ in range(count):
        adults.append(adult(
            age=rng.choice([18, 21, 23, 24, 25, 29, 34, 41, 48, 55, 62]),
            earnings=0.0 if rng.random() < 0.6 else rng.choice([350.0, 800.0, 1200.0, 1900.0, 2600.0, 4200.0, 6500.0]),
            pension=0.0 if rng.random() < 0.7 else rng.choice([3.0, 5.0, 8.0]),
            health=rng.choices(["none", "lcwra_new", "lcwra_protected"], [75, 12, 13])[0],
            carer=rng.random() < 0.1,
            disability_benefit=rng.random() < 0.1,
        ))
    children = []
    for _ in range(rng.choices([0, 1, 2, 3, 4], [35, 25, 22, 12, 6])[0]):
        age = rng.randint(0, 15)
        born_before = age > 9 or (age == 9 and rng.random() < 0.5)
        disability = rng.choices(["none", "lower", "higher"], [85, 10, 5])[0]
        children.append(child(age, born_before, disability))
    tenure = rng.choices(["social_rent", "private_rent", "owner", "none"], [45, 30, 15, 10])[0]
    if tenure == "social_rent":
        housing = home("social_rent", float(rng.randrange(380, 950, 5)), rng.choice([0.0, 0.0, 15.0, 40.0]),
                       spare=rng.choices([0, 1, 2], [70, 20, 10])[0], non_dependants=rng.choices([0, 1, 2], [80, 15, 5])[0])
    elif tenure == "private_rent":
        housing = home("private_rent", float(rng.randrange(550, 1600, 10)), 0.0, lha=float(rng.randrange(500, 1350, 10)),
                       non_dependants=rng.choices([0, 1], [85, 15])[0])
    else:
        housing = home(tenure)
    young = any(c["age"] < 16 for c in children)
    london = rng.random() < 0.2
    scottish = None if london or rng.random() > 0.08 else True
    offer = None
    if rng.random() < 0.9:
        offer = job(rng.randrange(count), rng.choice([8, 12, 16, 20, 25, 30, 37.5, 45]),
                    rng.choice([12.71, 13.5, 15.0, 18.0, 25.0, 40.0]), rng.choice([0.0, 40.0, 120.0]))
    return household(
        adults, children, housing,
        childcare=0.0 if not young or rng.random() < 0.6 else rng.choice([200.0, 600.0, 1400.0, 2200.0]),
        capital=0.0 if rng.random() < 0.6 else rng.choice([3000.0, 6000.0, 6000.01, 9500.0, 15999.0, 16000.01, 25000.0]),
        unearned=0.0 if rng.random() < 0.8 else rng.choice([50.0, 150.0, 400.0]),
        london=london, offer=offer, scottish=scottish,
    )


def generate() -> list[tuple[str, dict]]:
    rng = random.Random(SEED)
    households = hand_picked()
    households += [(f"random {index + 1:02d}", random_household(rng)) for index in range(RANDOM_HOUSEHOLDS)]
    return households
