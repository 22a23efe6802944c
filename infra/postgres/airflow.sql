-- Airflow's metadata database, next to the staging database (docker-compose runs this once, when
-- PostgreSQL's data directory is created; infra/stack.py creates it when Airflow first starts).
CREATE DATABASE airflow;
