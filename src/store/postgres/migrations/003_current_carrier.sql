-- The current Webhook carrier of SuperOffice's clients: ErrorEmails (ErrorsEmail is its obsolete form, kept in
-- step), ErrorAssociates, Description, NotifyVia and NotifyWhen. Existing webhooks keep what they did: their
-- ErrorsEmail address becomes their ErrorEmails, told by e-mail when they are switched off.
ALTER TABLE webhooks ADD COLUMN error_emails text NOT NULL DEFAULT '[]';
ALTER TABLE webhooks ADD COLUMN error_associates text NOT NULL DEFAULT '[]';
ALTER TABLE webhooks ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN notify_via integer NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN notify_when integer NOT NULL DEFAULT 2;
UPDATE webhooks SET error_emails = json_build_array(errors_email)::text WHERE errors_email IS NOT NULL AND errors_email <> '';

-- An associate can carry an e-mail address (NotifyVia Email reaches the ErrorAssociates there).
ALTER TABLE associates ADD COLUMN email text;

-- A notification goes by e-mail to a recipient, or in-app to an associate; `reason` is the NotifyWhen flag that fired.
ALTER TABLE notifications ADD COLUMN channel text NOT NULL DEFAULT 'email';
ALTER TABLE notifications ADD COLUMN associate_id bigint;
ALTER TABLE notifications ADD COLUMN reason text NOT NULL DEFAULT 'Disabling';
CREATE INDEX notifications_inapp ON notifications (associate_id, id) WHERE channel = 'inapp';
