"""All tables. Importing this package registers every model on `Base.metadata`."""

from storage.models.base import Base

__all__ = ["Base"]
