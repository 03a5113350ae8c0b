-- 014: the latest date of a project's history, in one index probe.
--
-- A new event dated on or after every event of its project is checked
-- against the project's derived fields alone (lifecycle_append_last in
-- src/domain/lifecycle.c): all it needs of the history is that date, and
-- this index gives it however long the history is (project_state in
-- src/db/projects.c). Retractions are left out: their date is the day
-- they were recorded, not a place in the history. The events they
-- retract stay in, which can only make the date later than the replay's
-- own, so an event is at worst checked by the whole replay, never wrongly
-- by the short way.
CREATE INDEX project_events_latest ON project_events (project_id, effective_on)
	WHERE type <> 'retraction';
