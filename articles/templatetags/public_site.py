import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import renditions
from articles.date_display import mention_fields, phrase_html

register = template.Library()

# What json_script escapes: inside <script> only "<" (as in "</script>" or
# "<!--") can end the element early; ">" and "&" for good measure.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def date_mention(mention) -> str:
    """A date mention as it reads ("5–6 July 2024", "the 1990s", "early
    2024"), in a <time> when it is exact enough for one."""
    return phrase_html(**mention_fields(mention))


@register.filter
def jsonld(data) -> str:
    """`data` as a JSON-LD <script>, escaped like json_script (whose
    type="application/json" search engines would ignore)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def repeat(text, times) -> str:
    return str(text) * max(int(times or 0), 0)


@register.simple_tag
def article_card(article, level=None):
    """An article's card: its stored rendition when it has a current one
    (fetched with ArticleQuerySet.with_renditions("card"), or the card itself
    from renditions.prepared_list()), else rendered here. Cards with a search
    snippet are always rendered here."""
    level = level or renditions.CARD_LEVEL
    if isinstance(article, str):
        return mark_safe(renditions.card_at(article, level))
    rendition = None if getattr(article, "snippet", None) is not None else renditions.fresh(article)
    if rendition is not None:
        return mark_safe(renditions.card_at(rendition.card, level))
    return mark_safe(render_to_string(renditions.CARD_TEMPLATE,
                                      {"article": article, "level": level}).strip())
