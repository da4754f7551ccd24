r"""raw \n"""
revision = "r"; down_revision = ()
x = f"{1}" \
  + b"2"
