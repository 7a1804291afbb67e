package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/handoff"
)

// SetHandoffs installs the hand-off service (代办转办) and registers its
// endpoints under /api/v1. Call it once, before Open.
func (s *Server) SetHandoffs(svc *handoff.Service) {
	h := &handoffAPI{s: s, svc: svc}
	h.routes(s.engine.Group("/api/v1", s.authenticate()))
}

type handoffAPI struct {
	s   *Server
	svc *handoff.Service
}

var (
	qHandoffStatus = apiParam{Name: "status", In: "query", Description: "open, delivering or delivered", Schema: &jsonSchema{Type: "string", Enum: []string{"open", "delivering", "delivered"}}}
	qHandoffLate   = apiParam{Name: "late", In: "query", Description: "true: only hand-offs with a late stage", Schema: &jsonSchema{Type: "boolean"}}
)

func (h *handoffAPI) routes(v1 *gin.RouterGroup) {
	s := h.s
	s.handle(v1, http.MethodGet, "/handoffs", opSpec{roles: writers, tag: "handoffs",
		summary:     "The hand-off ledger (代办转办): who holds each file, by when, and which stages are late",
		description: "Coordinators see the files of their township's households and those their desk accepted (无差别受理). late: acted after, or still open after, the stage's due day.",
		query:       []apiParam{qTownship, qHandoffStatus, qHandoffLate}, response: listBody[handoff.View]{}, errors: []int{400}}, h.list)
	s.handle(v1, http.MethodPost, "/handoffs", opSpec{roles: writers, tag: "handoffs",
		summary:     "Accept a cross-level item for a household (at a village, a market desk or a township) and open its hand-off chain",
		description: "无差别受理: a township coordinator accepts for a household of any township (accepted_township records the desk, which then follows the file with the household's township). 422 naming the field: an unknown request, an item not on the request, or one decided where it is accepted (no hand-off).",
		request:     handoff.AcceptInput{}, response: handoff.View{}, status: http.StatusCreated, errors: []int{422}}, h.accept)
	s.handle(v1, http.MethodGet, "/handoffs/:id", opSpec{roles: writers, tag: "handoffs",
		summary: "One hand-off chain with its current holder and lateness", response: handoff.View{}, errors: []int{404}}, h.get)
	s.handle(v1, http.MethodPost, "/handoffs/:id/forward", opSpec{roles: writers, tag: "handoffs",
		summary: "Forward the file one level up (village → township → county) to a named holder",
		request: handoff.StepInput{}, response: handoff.View{}, errors: []int{404, 409, 422}}, h.forward)
	s.handle(v1, http.MethodPost, "/handoffs/:id/result", opSpec{roles: writers, tag: "handoffs",
		summary:     "Record the deciding level's result; its delivery to the resident becomes a request the circuit planner plans as a visit",
		description: "The delivery request (source handoff, priority ≥ 4, deadline in 7 days) is created in the same transaction; the chain is delivered when that request is done.",
		request:     handoff.StepInput{}, response: handoff.View{}, errors: []int{404, 409, 422}}, h.result)
}

func handoffActor(c *gin.Context) handoff.Actor {
	p := mustPrincipal(c)
	return handoff.Actor{UserID: p.user.ID, Role: p.user.Role, TownshipID: p.user.TownshipID}
}

func (h *handoffAPI) list(c *gin.Context) error {
	q, err := query(c, "township", "status", "late")
	if err != nil {
		return err
	}
	f := handoff.ListFilter{TownshipID: q.Get("township"), Status: data.HandoffStatus(q.Get("status"))}
	switch f.Status {
	case "", data.HandoffOpen, data.HandoffDelivering, data.HandoffDelivered:
	default:
		return badRequest("status", "status must be open, delivering or delivered")
	}
	switch q.Get("late") {
	case "", "false":
	case "true":
		f.LateOnly = true
	default:
		return badRequest("late", "late must be true or false")
	}
	vs, err := h.svc.List(c.Request.Context(), handoffActor(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, listBody[handoff.View]{Items: vs, Total: len(vs)})
	return nil
}

func (h *handoffAPI) accept(c *gin.Context) error {
	var in handoff.AcceptInput
	if err := decodeJSON(c.Writer, c.Request, h.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	v, err := h.svc.Accept(c.Request.Context(), handoffActor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (h *handoffAPI) get(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := h.svc.Get(c.Request.Context(), handoffActor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (h *handoffAPI) step(c *gin.Context, f func(*handoff.Service, handoff.Actor, string, handoff.StepInput) (handoff.View, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in handoff.StepInput
	if err := decodeJSON(c.Writer, c.Request, h.s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	v, err := f(h.svc, handoffActor(c), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (h *handoffAPI) forward(c *gin.Context) error {
	return h.step(c, func(s *handoff.Service, a handoff.Actor, id string, in handoff.StepInput) (handoff.View, error) {
		return s.Forward(c.Request.Context(), a, id, in)
	})
}

func (h *handoffAPI) result(c *gin.Context) error {
	return h.step(c, func(s *handoff.Service, a handoff.Actor, id string, in handoff.StepInput) (handoff.View, error) {
		return s.Result(c.Request.Context(), a, id, in)
	})
}
