"""Spare bedrooms worked out from the household (the size criteria), when staff ask for it.

UC Regs Sch 4 para 10(1): one bedroom for each of the renter (a couple shares one); each
person who is not a child (16 or over: a qualifying young person or a non-dependant);
two children of the same sex; two children under 10; any other child. Para 12: an
additional bedroom for the overnight care, foster parent, disabled child and disabled
person conditions (entered by staff as ``housing.extra_bedrooms``). A child is a person
under 16 (Welfare Reform Act 2012 s.40).
"""

from __future__ import annotations

from .validation import InputError

CHILD_AGE = 16
YOUNG_CHILD_AGE = 10


def rooms_for_children(children: list[tuple[int, str | None]], path_of) -> int:
    """Fewest rooms for children under 16: same-sex pairs, then any two under 10.

    Pair the 10-15s of each sex; a 10-15 left over shares with an under-10 of the same sex;
    the under-10s left pair up whatever their sex. ``children`` holds (index, age, sex).
    """
    if len(children) <= 1:
        return len(children)  # a lone child has a room of their own: no need to know their sex
    if any(age >= YOUNG_CHILD_AGE for _, age, _ in children):
        for index, age, sex in children:
            if age < YOUNG_CHILD_AGE and sex is None:
                raise InputError(
                    path_of(index),
                    'is needed to work out bedrooms ("female" or "male"): an under-10 may share with an older '
                    "child of the same sex",
                )
    older = {"female": 0, "male": 0}
    young = {"female": 0, "male": 0, None: 0}
    for index, age, sex in children:
        if age >= YOUNG_CHILD_AGE:
            if sex is None:
                raise InputError(
                    path_of(index),
                    'is needed to work out bedrooms ("female" or "male"): children aged 10 to 15 share only with '
                    "a child of the same sex",
                )
            older[sex] += 1
        else:
            young[sex] += 1
    rooms = 0
    for sex in ("female", "male"):
        rooms += older[sex] // 2
        if older[sex] % 2:
            rooms += 1
            if young[sex]:
                young[sex] -= 1
    under_ten = young["female"] + young["male"] + young[None]
    return rooms + (under_ten + 1) // 2


def bedrooms_needed(adults, children, housing) -> int:
    rooms = 1  # the renter, or a couple
    people_16_plus = sum(1 for child in children if child.age >= CHILD_AGE)
    rooms += people_16_plus
    rooms += housing.non_dependants
    under_16 = [(index, child.age, child.sex) for index, child in enumerate(children) if child.age < CHILD_AGE]
    rooms += rooms_for_children(under_16, lambda index: f"children[{index}].sex")
    return rooms + housing.extra_bedrooms


def spare_bedrooms(adults, children, housing) -> int:
    """Bedrooms in the home above the size criteria (never negative)."""
    return max(0, housing.bedrooms - bedrooms_needed(adults, children, housing))
