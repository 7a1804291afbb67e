package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// guideRulesInput is the body of PUT /guide-rules: the whole rule set.
type guideRulesInput struct {
	Rules []data.GuideRule `json:"rules" doc:"every rule; the stored set is replaced by these (an empty list: no visit brings an agent)"`
}

// guideRulesResult answers GET and PUT /guide-rules.
type guideRulesResult struct {
	Rules  []data.GuideRule `json:"rules"`
	DryRun bool             `json:"dry_run,omitempty"`
}

// guideRoutes registers the guide rules on v1.
func (s *Server) guideRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/guide-rules", opSpec{roles: writers, tag: "circuits",
		summary:     "The guide rules: which county and township home visits bring the village agent (村代办员带路)",
		description: "A rule names one service item (item_id) or one special group (group) and the team levels (county, township) whose home visits it covers. The circuit planner gives each such visit its village's agent, claimed for the visit's time, or flags it (stop.guide.missing: absent, market_desk, off_duty, busy_own_route, busy_guiding, no_agent).",
		response:    guideRulesResult{}}, s.listGuideRules)
	s.handle(v1, http.MethodPut, "/guide-rules", opSpec{roles: planners, tag: "circuits",
		summary:     "Replace the guide rules, all or nothing",
		description: "Any bad rule (invalid, unknown item, repeated id) rejects the whole set with 422 and `rows` naming each rule (line = 1-based position) and field. Plans made afterwards follow the new rules.",
		query:       []apiParam{{Name: "dry_run", In: "query", Description: "check only (true/false)", Schema: &jsonSchema{Type: "boolean"}}},
		request:     guideRulesInput{}, response: guideRulesResult{}, errors: []int{400, 422}}, s.putGuideRules)
}

func (s *Server) listGuideRules(c *gin.Context) error {
	rs, err := s.store.ListGuideRules(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, guideRulesResult{Rules: rs})
	return nil
}

func (s *Server) putGuideRules(c *gin.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	var in guideRulesInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Rules == nil {
		return badRequest("rules", "rules is required (send [] to have none)")
	}
	ctx := c.Request.Context()
	if dry {
		ctx = data.DryRun(ctx)
	}
	if err := s.store.ReplaceGuideRules(ctx, in.Rules, mustPrincipal(c).user.ID); err != nil {
		if rows := data.RowErrors(err); rows != nil {
			for i := range rows {
				rows[i].Field = "rules[" + itoa(rows[i].Line-1) + "]." + rows[i].Field
			}
			return s.rejectRows(c, rows)
		}
		return err
	}
	c.JSON(http.StatusOK, guideRulesResult{Rules: in.Rules, DryRun: dry})
	return nil
}
