package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/scheduler"
)

// SetScheduler installs the job scheduler behind /api/v1/schedules and
// /api/v1/job-runs. Call it before Open; without it those endpoints answer
// 503.
func (s *Server) SetScheduler(sched *scheduler.Scheduler) { s.sched = sched }

// scheduleRoutes registers the scheduler endpoints on v1: county-wide
// roles only, since schedules drive county-wide planning.
func (s *Server) scheduleRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/schedules", opSpec{roles: planners, tag: "scheduler",
		summary: "List the recurring jobs with their schedule and next run", response: []scheduler.Schedule{},
		errors: []int{403, 503}}, s.listSchedules)
	s.handle(v1, http.MethodPut, "/schedules", opSpec{roles: planners, tag: "scheduler",
		summary:     "Change several schedules: an object keyed by job, or an array of schedules",
		description: "Omitted fields keep their value. Answers all schedules. A bad spec or time zone is 400 naming the field (arrays: \"[1].spec\").",
		request:     map[string]scheduler.Schedule{}, response: []scheduler.Schedule{}, errors: []int{403, 404, 503}}, s.putSchedules)
	s.handle(v1, http.MethodPut, "/schedules/:job", opSpec{roles: planners, tag: "scheduler",
		summary: "Change one job's schedule, e.g. {\"spec\": \"0 16 * * fri\", \"time_zone\": \"Asia/Shanghai\", \"enabled\": true}",
		request: scheduler.Schedule{}, response: []scheduler.Schedule{}, errors: []int{403, 404, 503}}, s.putSchedules)
	s.handle(v1, http.MethodPost, "/schedules/:job/run", opSpec{roles: planners, tag: "scheduler",
		summary: "Run a job now (asynchronously)", status: http.StatusAccepted, errors: []int{403, 404, 503}}, s.runJobNow)
	s.handle(v1, http.MethodGet, "/job-runs", opSpec{roles: planners, tag: "scheduler",
		summary: "Job runs, newest first",
		query: []apiParam{
			{Name: "job", In: "query", Description: "job name", Schema: &jsonSchema{Type: "string"}},
			{Name: "limit", In: "query", Description: "1–1000 (default 100)", Schema: &jsonSchema{Type: "integer"}},
		},
		response: []scheduler.Run{}, errors: []int{400, 403, 404, 503}}, s.listJobRuns)
}

var errNoScheduler = &httpError{Status: http.StatusServiceUnavailable, Code: codeUnavailable,
	Message: "this server runs no scheduler (serve --no-scheduler)"}

// schedulerError maps the scheduler's errors: field errors are 400 naming
// the field, unknown jobs 404, the rest internal.
func schedulerError(err error) error {
	if fe, ok := scheduler.AsFieldError(err); ok {
		return badRequest(fe.Field, fe.Error())
	}
	if errors.Is(err, scheduler.ErrUnknownJob) {
		return notFound(err.Error())
	}
	return err
}

func (s *Server) listSchedules(c *gin.Context) error {
	if s.sched == nil {
		return errNoScheduler
	}
	if _, err := query(c); err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.sched.Schedules())
	return nil
}

func (s *Server) putSchedules(c *gin.Context) error {
	if s.sched == nil {
		return errNoScheduler
	}
	job := c.Param("job")
	if c.FullPath() != "/api/v1/schedules" {
		if _, err := pathParam(c, "job"); err != nil {
			return err
		}
	}
	if err := requireJSON(c.Request); err != nil {
		return err
	}
	if c.Request.ContentLength > s.cfg.MaxBodyBytes {
		return tooLarge(s.cfg.MaxBodyBytes)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		return tooLarge(s.cfg.MaxBodyBytes)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	out, err := s.sched.PutSchedules(c.Request.Context(), job, bytes.NewReader(body), mustPrincipal(c).user.ID)
	if err != nil {
		return schedulerError(err)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) runJobNow(c *gin.Context) error {
	if s.sched == nil {
		return errNoScheduler
	}
	job, err := pathParam(c, "job")
	if err != nil {
		return err
	}
	if err := s.sched.RunNow(c.Request.Context(), job); err != nil {
		return schedulerError(err)
	}
	c.JSON(http.StatusAccepted, healthBody{Status: "started"})
	return nil
}

func (s *Server) listJobRuns(c *gin.Context) error {
	if s.sched == nil {
		return errNoScheduler
	}
	q, err := query(c, "job", "limit")
	if err != nil {
		return err
	}
	runs, err := s.sched.ListRuns(c.Request.Context(), q.Get("job"), q.Get("limit"))
	if err != nil {
		return schedulerError(err)
	}
	if runs == nil {
		runs = []scheduler.Run{}
	}
	c.JSON(http.StatusOK, runs)
	return nil
}
