"""Link stage: apostilles and translations to the documents they certify or translate (:mod:`pipeline.links`)."""

from __future__ import annotations

import dataclasses

from pipeline.links import link_documents as find_links
from pipeline.model import PUBLIC_DOCUMENT_TYPES, DocType, Document, Field
from pipeline.work import DossierWork

LINK_CONFIDENCE = {True: 0.95, False: 0.8}
"""Confidence of a link by position in the same file (True) or by agreeing content only (False)."""


def link_attachments(documents: list[Document]) -> list[Document]:
    """Each apostille and translation names the document it belongs to (field ``certifies``, with the
    reasons in its ``raw``); a certificate whose heading named no state takes its apostille's field 1
    (Hague model certificate) as issuing country."""
    linked = list(documents)
    position = {id(d): i for i, d in enumerate(documents)}
    for link in find_links(documents):
        target = link.target
        attachment = linked[position[id(link.attachment)]]
        if target is None:
            continue
        same_file = target.file == attachment.file
        certifies = Field(
            target.ref,
            LINK_CONFIDENCE[same_file],
            "link",
            raw="; ".join(link.reasons),
            basis="same-file" if same_file else "content",
        )
        linked[position[id(link.attachment)]] = dataclasses.replace(
            attachment, fields={**attachment.fields, "certifies": certifies}
        )
        index = position[id(target)]
        current = linked[index]
        if (
            link.kind is DocType.APOSTILLE
            and current.type in PUBLIC_DOCUMENT_TYPES
            and "issuing_country" not in current.fields
            and "issuing_country" in attachment.fields
        ):
            country = dataclasses.replace(attachment.fields["issuing_country"], confidence=0.8, basis="apostille")
            linked[index] = dataclasses.replace(current, fields={**current.fields, "issuing_country": country})
    return linked


def link_documents(work: DossierWork) -> DossierWork:
    """Dossier stage: link apostilles and translations to their documents."""
    return work.replace_documents(link_attachments(list(work.documents)))
