"""``__in`` on integer columns that answers "no such row" for a value no row can hold.

Django refuses ``filter(id__in=["abc"])`` with a ValueError, and SQLite an id beyond 64 bits
with an OverflowError; a form re-shown with such a posted value (the admin's autocomplete
widgets, any ModelMultipleChoiceField) then fails with a server error instead of a form
error. Django already answers an out-of-range ``exact``, ``lt``… with no rows (5.0); this does
the same for ``in``: such values are dropped, as no row could match them.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerIn(In):
    def get_prep_lookup(self):
        if self.rhs_is_direct_value() and isinstance(self.rhs, list | tuple | set | frozenset):
            self.rhs = [value for value in self.rhs if self._convertible(value)]
        return super().get_prep_lookup()

    def _convertible(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return True
        try:
            self.lhs.output_field.get_prep_value(value)
        except (ValueError, TypeError):
            return False
        return True

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            try:
                low, high = connection.ops.integer_field_range(internal_type)
            except KeyError:  # a type the backend has no range for
                return super().process_rhs(compiler, connection)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register():
    IntegerField.register_lookup(IntegerIn)
