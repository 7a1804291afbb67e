-- 0251 (PostgreSQL): the triggers that raise the generations of 0250.
-- They are deferred constraint triggers, so the counter row is locked only
-- at commit, after every other lock of the transaction: writers queue on
-- it briefly but can never deadlock through it. A transaction-local
-- setting makes it one bump per transaction and counter, however many rows
-- it wrote.
CREATE FUNCTION xunhui_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xunhui.bumped_' || TG_ARGV[0], true) IS DISTINCT FROM '1' THEN
        IF TG_ARGV[0] = 'auth' THEN
            UPDATE generations SET auth = auth + 1 WHERE id = 1;
        ELSE
            UPDATE generations SET data = data + 1 WHERE id = 1;
        END IF;
        PERFORM set_config('xunhui.bumped_' || TG_ARGV[0], '1', true);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER gen_plans AFTER INSERT OR UPDATE OR DELETE ON plans DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_itineraries AFTER INSERT OR UPDATE OR DELETE ON itineraries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_requests AFTER INSERT OR UPDATE OR DELETE ON requests DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_request_items AFTER INSERT OR UPDATE OR DELETE ON request_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_request_groups AFTER INSERT OR UPDATE OR DELETE ON request_groups DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_staff AFTER INSERT OR UPDATE OR DELETE ON staff DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_teams AFTER INSERT OR UPDATE OR DELETE ON teams DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_team_members AFTER INSERT OR UPDATE OR DELETE ON team_members DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_villages AFTER INSERT OR UPDATE OR DELETE ON villages DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_service_points AFTER INSERT OR UPDATE OR DELETE ON service_points DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_service_items AFTER INSERT OR UPDATE OR DELETE ON service_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_townships AFTER INSERT OR UPDATE OR DELETE ON townships DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_staff_claims AFTER INSERT OR UPDATE OR DELETE ON staff_claims DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('data');
CREATE CONSTRAINT TRIGGER gen_users AFTER UPDATE OR DELETE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('auth');
CREATE CONSTRAINT TRIGGER gen_tokens AFTER UPDATE OR DELETE ON tokens DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION xunhui_bump_generation('auth');
