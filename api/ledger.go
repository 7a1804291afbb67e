package api

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/ledger"
)

// xlsxType is the media type of an Excel workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ledgerImportResult answers a workbook import.
type ledgerImportResult struct {
	data.SaveResult
	DryRun bool `json:"dry_run,omitempty"`
}

// ledgerRejected is the 422 answer to a workbook with bad rows: the usual
// error object plus every bad row (sheet, row, field, reason).
type ledgerRejected struct {
	Error errorDetail     `json:"error"`
	Rows  []data.RowError `json:"rows"`
}

func (s *Server) ledgerRoutes(v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodGet, "/ledgers.xlsx", opSpec{roles: writers, tag: "requests",
		summary:     "The three ledgers as an Excel workbook (代办事项, 民生诉求, 困难问题; Chinese headers)",
		description: "Every request in the caller's scope (a township coordinator: own township), with id and version so that edited rows can be imported back. township= narrows it.",
		query:       []apiParam{qTownship}, contentType: xlsxType, errors: []int{400, 403}}, s.exportLedgers)
	s.handle(v1, http.MethodPost, "/ledgers.xlsx", opSpec{roles: writers, tag: "requests",
		summary: "Import a ledger workbook: all rows or none",
		description: "Rows without 编号 create requests; rows with 编号 and 版本 edit that request if it is still at that version; unchanged rows are left alone. " +
			"Any bad row rejects the whole workbook: 422 with `rows` [{sheet, line, field, reason}] and nothing written. A township coordinator's rows must be in their township. dry_run=true checks only.",
		query:    []apiParam{{Name: "dry_run", In: "query", Description: "check only (true/false)", Schema: &jsonSchema{Type: "boolean"}}},
		response: ledgerImportResult{}, errors: []int{400, 403, 413, 422}}, s.importLedgers)
}

func (s *Server) exportLedgers(c *gin.Context) error {
	q, err := query(c, "township")
	if err != nil {
		return err
	}
	f := data.RequestFilter{TownshipID: q.Get("township"), Limit: data.MaxLimit}
	if err := townshipParam(f.TownshipID); err != nil {
		return err
	}
	if err := s.requestScope(mustPrincipal(c), &f); err != nil {
		return err
	}
	ctx := c.Request.Context()
	var all []data.Request
	for {
		rs, total, err := s.store.ListRequests(ctx, f)
		if err != nil {
			return err
		}
		all = append(all, rs...)
		if f.Offset += f.Limit; f.Offset >= total {
			break
		}
	}
	vs, err := s.store.ListVillages(ctx, "")
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, v := range vs {
		names[v.ID] = v.Name
	}
	var buf bytes.Buffer
	if err := ledger.Export(&buf, all, names); err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="ledgers.xlsx"`)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
	return nil
}

func (s *Server) importLedgers(c *gin.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	b, err := ledger.Parse(c.Request.Body)
	if err != nil {
		if rows := data.RowErrors(err); rows != nil {
			return s.rejectRows(c, rows)
		}
		return err
	}
	ctx := c.Request.Context()
	p := mustPrincipal(c)
	bad, err := s.ledgerScope(c, p, b)
	if err != nil {
		return err
	}
	if rows := append(b.Bad, bad...); len(rows) > 0 {
		return s.rejectRows(c, rows)
	}
	sctx := ctx
	if dry {
		sctx = data.DryRun(ctx)
	}
	res, err := s.store.SaveRequests(sctx, b.Records, p.user.ID)
	if err != nil {
		if rows := data.RowErrors(err); rows != nil {
			b.Relabel(err)
			return s.rejectRows(c, rows)
		}
		return err
	}
	s.logger.InfoContext(ctx, "ledger workbook imported", "request_id", requestID(c), "created", res.Created,
		"updated", res.Updated, "dry_run", dry, "user", p.user.ID)
	c.JSON(http.StatusOK, ledgerImportResult{SaveResult: res, DryRun: dry})
	return nil
}

// ledgerScope returns the rows a township coordinator may not write: a
// village outside their township, or an id of a request they cannot see
// (reported like a missing one).
func (s *Server) ledgerScope(c *gin.Context, p *principal, b ledger.Batch) ([]data.RowError, error) {
	if p.user.Role != data.UserTownshipCoordinator {
		return nil, nil
	}
	var bad []data.RowError
	for i, r := range b.Records {
		at := b.Places[i]
		if data.TownshipOf(r.Household.VillageID) != p.user.TownshipID {
			bad = append(bad, data.RowError{Sheet: at.Sheet, Line: at.Row, Field: "村（社区）代码",
				Reason: fmt.Sprintf("village %s is outside your township %s", r.Household.VillageID, p.user.TownshipID)})
			continue
		}
		if r.ID == "" {
			continue
		}
		old, err := s.store.GetRequest(c.Request.Context(), r.ID)
		if data.ErrorKind(err) == data.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if old.TownshipID != p.user.TownshipID {
			bad = append(bad, data.RowError{Sheet: at.Sheet, Line: at.Row, Field: "编号", Reason: "no such request in your township: " + r.ID})
		}
	}
	return bad, nil
}

// rejectRows answers 422 with every bad row; nothing was written.
func (s *Server) rejectRows(c *gin.Context, rows []data.RowError) error {
	s.metrics.Errors.WithLabelValues(codeInvalid).Inc()
	msg := fmt.Sprintf("%d bad row(s), nothing imported; the first: %s", len(rows), rows[0].Error())
	c.AbortWithStatusJSON(http.StatusUnprocessableEntity, ledgerRejected{
		Error: errorDetail{Code: codeInvalid, Message: msg, RequestID: requestID(c)}, Rows: rows})
	return nil
}
