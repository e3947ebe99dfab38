-- One database per service, created when the postgres container initialises an empty data
-- volume (scripts in /docker-entrypoint-initdb.d run only then, as POSTGRES_USER). Each service
-- creates its own schema and tables at start-up (its migrations), so nothing else is needed here.
-- The names are the ones docker-compose.yml puts into each service's DATABASE_URL.
CREATE DATABASE shop_orders;
CREATE DATABASE shop_payments;
