'''merge heads'''
from typing import Sequence, Union
revision: str = "c3"
down_revision: Union[str, Sequence[str], None] = (
    "a1",  # first
    'b2',
)
branch_labels: Union[str, Sequence[str], None] = ['core']
depends_on = r'x\y', u"z"
