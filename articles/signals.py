from django.dispatch import Signal

# Sent after the transaction of a workflow transition commits.
# provides args: article, transition, from_status, to_status, user
article_transitioned = Signal()

# Sent after an article's public content may have changed (published, edited
# while live, corrected, withdrawn): caches of public pages listen to it.
# provides args: article
public_content_changed = Signal()
