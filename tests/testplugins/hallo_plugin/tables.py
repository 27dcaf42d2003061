from sqlalchemy import Column, Integer, MetaData, String, Table

metadata = MetaData()
greetings = Table(
    "hallo_greetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String(200), nullable=False),
)
