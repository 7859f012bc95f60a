"""Skills an entry can be tagged with: two short built-in lists, each with stable ids.

No licensed text is bundled. The lists are the hub's own wording, modelled on public
frameworks (only their skill or category *names* are reused, never their statements):

* ``digital``: modelled on the five skill areas plus foundation skills of the Essential
  Digital Skills framework (Department for Education, 2018/19, Open Government Licence):
  https://www.gov.uk/government/publications/essential-digital-skills-framework
* ``work``: modelled on the eight essential skills named by the Skills Builder Universal
  Framework (https://www.skillsbuilder.org/universal-framework). Only the eight skill
  names are used; the framework's step statements are not reproduced.

Ids are ``<framework>:<skill>`` and never change once issued (they go into signed
credentials as Open Badges ``alignment`` codes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    modelled_on: str
    url: str


@dataclass(frozen=True)
class Skill:
    id: str
    framework: str
    name: str
    description: str


FRAMEWORKS: dict[str, Framework] = {
    "digital": Framework(
        "digital",
        "Essential digital skills (Drop-in Hub list)",
        "Essential Digital Skills framework, Department for Education (2018/19)",
        "https://www.gov.uk/government/publications/essential-digital-skills-framework",
    ),
    "work": Framework(
        "work",
        "Essential skills for work (Drop-in Hub list)",
        "the eight skills named in the Skills Builder Universal Framework",
        "https://www.skillsbuilder.org/universal-framework",
    ),
}

SKILLS: dict[str, Skill] = {
    skill.id: skill
    for skill in [
        Skill("digital:foundation", "digital", "Digital foundations",
              "Switches on and uses a device, keyboard or touchscreen; connects to wi-fi; keeps passwords private."),
        Skill("digital:communicating", "digital", "Communicating online",
              "Sends email and messages, joins a video call, shares a file."),
        Skill("digital:information", "digital", "Finding and handling information",
              "Searches the web, judges whether a source is trustworthy, saves and finds files."),
        Skill("digital:transacting", "digital", "Transacting online",
              "Fills in online forms, applies for jobs or benefits online, pays safely."),
        Skill("digital:problem_solving", "digital", "Solving problems with digital tools",
              "Finds help online, fixes simple problems, learns a new app."),
        Skill("digital:safe_legal", "digital", "Being safe and legal online",
              "Spots scams, protects personal details, respects others' content."),
        Skill("work:listening", "work", "Listening", "Takes in and acts on what others say."),
        Skill("work:speaking", "work", "Speaking", "Explains things clearly to a person or a group."),
        Skill("work:problem_solving", "work", "Problem solving", "Works out what is wrong and tries ways to fix it."),
        Skill("work:creativity", "work", "Creativity", "Comes up with new ideas and ways of doing things."),
        Skill("work:staying_positive", "work", "Staying positive", "Keeps going when things are hard."),
        Skill("work:aiming_high", "work", "Aiming high", "Sets goals and plans how to reach them."),
        Skill("work:leadership", "work", "Leadership", "Supports and motivates others towards a shared goal."),
        Skill("work:teamwork", "work", "Teamwork", "Works well with others to get things done."),
    ]
}


def skill_label(skill_id: str) -> str:
    skill = SKILLS.get(skill_id)
    return skill.name if skill else skill_id
