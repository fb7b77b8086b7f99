-- Failed logins get an `id` of their own, as PostgreSQL's schema has, so that one statement
-- serves both backends (the code used SQLite's `rowid`). The table holds minutes of rows: it is
-- rebuilt.
create table login_failures_new (
    id              integer primary key autoincrement,
    address         text not null,
    at              integer not null
);
insert into login_failures_new (address, at) select address, at from login_failures;
drop table login_failures;
alter table login_failures_new rename to login_failures;
create index login_failures_by_address on login_failures (address, at);
