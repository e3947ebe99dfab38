-- LOG_RETENTION deletes messages by age, oldest first, a small batch at a time.
CREATE INDEX messages_by_age ON messages (appended_at);
