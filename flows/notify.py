"""Tell a person what changed: a summary sent through a Prefect notification block (webhook, e-mail, Slack).

The block is saved once in the Prefect server (``dossier notify-webhook NAME URL`` for a plain webhook,
or any notification block from the UI) and named by slug, ``custom-webhook/hr-desk``; scheduled runs
then load it by that name. The message is built by the core (``pipeline.changes.render_notice``).
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import task  # noqa: E402
from prefect.blocks.core import Block  # noqa: E402
from prefect.blocks.notifications import CustomWebhookNotificationBlock, NotificationBlock  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from pipeline import changes as changes_mod  # noqa: E402
from pipeline.errors import ConfigError  # noqa: E402

WEBHOOK_PAYLOAD = {"subject": "{{subject}}", "text": "{{subject}}\n{{body}}", "source": "{{name}}"}
"""JSON posted by ``notify-webhook`` blocks (``text`` suits Slack and Teams incoming webhooks)."""


def load_notifier(slug: str) -> NotificationBlock:
    """The saved notification block ``type-slug/name`` (``custom-webhook/hr-desk``).

    Raises:
        ConfigError: no such block, or it cannot send notifications.
    """
    try:
        block = Block.load(slug)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"no notification block {slug!r} (save one with 'dossier notify-webhook'): {exc}") from exc
    if not isinstance(block, NotificationBlock):
        raise ConfigError(f"block {slug!r} is a {type(block).__name__}, not a notification block")
    return block


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def send_notice(slug: str, changes: dict[str, Any], report_location: str) -> bool:
    """Send the summary of ``changes`` through the block ``slug`` when a person must act; True if sent."""
    if not changes_mod.needs_notice(changes):
        return False
    subject, body = changes_mod.render_notice(changes, report_location)
    # A sync call from a sync task (``async_dispatch`` types it as a coroutine for async callers).
    load_notifier(slug).notify(body=body, subject=subject)  # type: ignore[unused-coroutine]
    return True


def save_webhook(name: str, url: str, *, overwrite: bool = True) -> str:
    """Save a webhook notification block that posts ``WEBHOOK_PAYLOAD`` as JSON; returns its slug."""
    block = CustomWebhookNotificationBlock(name=name, url=url, json_data=WEBHOOK_PAYLOAD, headers=None, cookies=None)
    block.save(name, overwrite=overwrite)
    return f"custom-webhook/{name}"
